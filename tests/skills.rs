//! The skills extension through the public API: against the example server
//! in both eras (honest, and tampering with its files), and against a
//! scripted server that shows exactly what is fetched when.

use mcp_client::types::{Skill, SkillResources};
use mcp_client::{
    ClientError, ClientSession, ClientSessionOptions, ProtocolMode, SkillLimits, SkillProblem, Verification,
};
use mcp_testkit::{
    example_session, example_session_of, scripted_pair, with_timeout, ExampleServer, ScriptedPeer,
    SkillTamper,
};
use serde_json::{json, Value};

const ARITHMETIC: &str = "skill://arithmetic/SKILL.md";
const GREETING: &str = "skill://greeting/SKILL.md";
const STATUS: &str = "skill://live/status/SKILL.md";

fn skills_on() -> ClientSessionOptions {
    ClientSessionOptions::new().skills(true)
}

fn problem(e: &ClientError) -> &SkillProblem {
    e.skill_problem()
        .unwrap_or_else(|| panic!("not a skill rejection: {e}"))
}

#[tokio::test]
async fn skills_are_listed_got_loaded_and_read_in_both_eras() {
    for mode in [ProtocolMode::Initialize, ProtocolMode::Auto] {
        let session = example_session(skills_on().protocol(mode.clone())).await;
        let declared = session.client_capabilities().extensions.unwrap_or_default();
        assert!(
            declared.contains_key("io.modelcontextprotocol/skills"),
            "{declared:?}"
        );

        // Three skills over two pages.
        let skills = with_timeout(session.list_all_skills()).await.expect("listed");
        let uris: Vec<&str> = skills.iter().map(|s| s.uri.as_str()).collect();
        assert_eq!(uris, [ARITHMETIC, GREETING, STATUS], "{mode:?}");
        let page = with_timeout(session.list_skills(None)).await.expect("one page");
        assert_eq!(page.skills.len(), 2);
        assert!(page.next_cursor.is_some());

        let entry = with_timeout(session.get_skill(ARITHMETIC)).await.expect("got");
        assert_eq!(entry, skills[0]);
        let skill = with_timeout(session.load_skill(entry)).await.expect("loads");
        assert_eq!(skill.name(), "arithmetic");
        assert!(skill.skill_md().is_verified());
        assert!(
            skill.instructions().starts_with("# Arithmetic\n"),
            "{}",
            skill.instructions()
        );
        assert_eq!(skill.frontmatter()["metadata"]["tools"], json!(["add"]));
        assert_eq!(skill.files().map(<[_]>::len), Some(2));

        let table = with_timeout(session.read_skill_file(&skill, "references/TABLES.md"))
            .await
            .expect("read");
        assert_eq!(table.verification, Verification::Verified);
        assert!(table.text().is_some_and(|t| t.starts_with("# Addition table")));
        let by_uri =
            with_timeout(session.read_skill_file(&skill, "skill://arithmetic/references/TABLES.md")).await;
        assert_eq!(by_uri.expect("read by URI").bytes, table.bytes);

        let unlisted = with_timeout(session.read_skill_file(&skill, "references/OTHER.md"))
            .await
            .expect_err("unlisted");
        assert_eq!(problem(&unlisted), &SkillProblem::Unlisted);
        assert!(unlisted.to_string().contains("nothing was fetched"), "{unlisted}");
        let outside = with_timeout(session.read_skill_file(&skill, "../greeting/SKILL.md"))
            .await
            .expect_err("outside");
        assert_eq!(problem(&outside), &SkillProblem::OutsideSkill);

        // A dynamic skill loads, unverifiable.
        let status = with_timeout(session.load_skill(skills[2].clone()))
            .await
            .expect("dynamic loads");
        assert!(status.is_dynamic());
        assert_eq!(status.skill_md().verification, Verification::Unverifiable);
        assert!(status.bytes_retrieved() > 0);

        let unknown = with_timeout(session.get_skill("skill://nope/SKILL.md"))
            .await
            .expect_err("no skill");
        assert_eq!(unknown.server_error().map(|e| e.code), Some(-32602), "{unknown}");
        session.close().await;
    }
}

#[tokio::test]
async fn skills_need_the_users_opt_in() {
    let session = example_session(ClientSessionOptions::new()).await;
    assert!(session
        .client_capabilities()
        .extensions
        .is_none_or(|e| !e.contains_key("io.modelcontextprotocol/skills")));
    let e = with_timeout(session.list_all_skills())
        .await
        .expect_err("not enabled");
    assert!(matches!(e, ClientError::NotSupported { .. }), "{e}");
    assert!(e.to_string().contains("skills(true)"), "{e}");
    session.close().await;
}

#[tokio::test]
async fn files_that_differ_from_their_entry_are_never_returned() {
    let tampered = |tamper| ExampleServer::default().tampering_skills(tamper);
    for mode in [ProtocolMode::Initialize, ProtocolMode::Auto] {
        let options = skills_on().protocol(mode);
        // Same size, one byte changed: the digest tells.
        let session = example_session_of(tampered(SkillTamper::Digest), options.clone()).await;
        let entry = with_timeout(session.get_skill(ARITHMETIC)).await.expect("got");
        let skill = with_timeout(session.load_skill(entry))
            .await
            .expect("SKILL.md is intact");
        let e = with_timeout(session.read_skill_file(&skill, "references/TABLES.md"))
            .await
            .expect_err("tampered");
        assert!(matches!(problem(&e), SkillProblem::DigestMismatch { .. }), "{e}");
        let message = e.to_string();
        assert!(
            message.contains("skill://arithmetic/references/TABLES.md") && message.contains("digest"),
            "{message}"
        );
        session.close().await;

        // Longer than declared: refused on the size alone.
        let session = example_session_of(tampered(SkillTamper::Size), options.clone()).await;
        let entry = with_timeout(session.get_skill(ARITHMETIC)).await.expect("got");
        let e = with_timeout(session.load_skill(entry))
            .await
            .expect_err("tampered");
        assert!(matches!(problem(&e), SkillProblem::SizeMismatch { .. }), "{e}");
        session.close().await;

        // Digest and size match the file, but its description is not the
        // one the user saw in the listing.
        let session = example_session_of(tampered(SkillTamper::Frontmatter), options.clone()).await;
        let entry = with_timeout(session.get_skill(GREETING)).await.expect("got");
        let e = with_timeout(session.load_skill(entry))
            .await
            .expect_err("tampered");
        match problem(&e) {
            SkillProblem::Frontmatter { field, .. } => assert_eq!(field.as_deref(), Some("description")),
            other => panic!("{other:?}"),
        }
        session.close().await;
    }
}

#[tokio::test]
async fn limits_and_invalid_entries_refuse_before_anything_is_fetched() {
    let session = example_session(skills_on().skill_limits(SkillLimits::new().max_files(1))).await;
    let entry = with_timeout(session.get_skill(ARITHMETIC)).await.expect("got");
    let e = with_timeout(session.load_skill(entry))
        .await
        .expect_err("two files");
    assert_eq!(problem(&e), &SkillProblem::TooManyFiles { files: 2, limit: 1 });
    session.close().await;

    // A dynamic skill counts what it retrieves.
    let session = example_session(skills_on().skill_limits(SkillLimits::new().max_total_bytes(64))).await;
    let entry = with_timeout(session.get_skill(STATUS)).await.expect("got");
    let e = with_timeout(session.load_skill(entry))
        .await
        .expect_err("too large");
    assert!(
        matches!(problem(&e), SkillProblem::TooLarge { limit: 64, .. }),
        "{e}"
    );
    session.close().await;

    let session = example_session(skills_on()).await;
    let mut entry = with_timeout(session.get_skill(ARITHMETIC)).await.expect("got");
    entry.resources = SkillResources::Invalid(Value::Null);
    let e = with_timeout(session.load_skill(entry))
        .await
        .expect_err("invalid");
    assert!(matches!(problem(&e), SkillProblem::InvalidEntry(_)), "{e}");
    session.close().await;
}

/// A session of the initialize era over a scripted server that declares
/// the skills extension, or not.
async fn scripted(declares: bool) -> (ClientSession, ScriptedPeer) {
    let (transport, mut peer) = scripted_pair();
    let session = ClientSession::new(transport, skills_on().protocol(ProtocolMode::Initialize));
    let extensions = if declares {
        json!({"io.modelcontextprotocol/skills": {}})
    } else {
        json!({})
    };
    let handshake = async {
        let init = peer.request().await;
        assert_eq!(init.method, "initialize");
        let params: Value = init
            .params
            .as_deref()
            .map_or(Value::Null, |p| serde_json::from_str(p.get()).unwrap_or_default());
        assert!(
            params["capabilities"]["extensions"]["io.modelcontextprotocol/skills"].is_object(),
            "{params}"
        );
        let result = json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {"resources": {}, "extensions": extensions},
            "serverInfo": {"name": "scripted", "version": "0"}
        });
        peer.respond(init.id, result).await;
        let _initialized = peer.notification().await;
    };
    let (outcome, ()) = with_timeout(async { tokio::join!(session.initialize(), handshake) }).await;
    outcome.expect("handshake");
    (session, peer)
}

/// The next request is `ping`: nothing else was sent before it.
async fn only_ping_follows(session: &ClientSession, peer: &mut ScriptedPeer) {
    let (pinged, ()) = tokio::join!(session.send_ping(), async {
        let next = peer.request().await;
        assert_eq!(
            next.method, "ping",
            "a request was sent that should not have been"
        );
        peer.respond(next.id, json!({})).await;
    });
    pinged.expect("ping");
}

/// The digest as a server computes it (with ring, not the library's code).
fn sha(text: &str) -> String {
    let hash = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    let hex: String = hash.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[tokio::test]
async fn nothing_is_fetched_ahead_of_need() {
    let md = "---\nname: pdf\ndescription: Work with PDFs\n---\n# PDF\n";
    let forms = "binary\u{0}forms";
    let entry = json!({
        "uri": "skill://pdf/SKILL.md",
        "frontmatter": {"name": "pdf", "description": "Work with PDFs"},
        "resources": [
            {"uri": "skill://pdf/SKILL.md", "digest": sha(md), "size": md.len()},
            {"uri": "skill://pdf/FORMS.bin", "digest": sha(forms), "size": forms.len()}
        ]
    });
    let (session, mut peer) = scripted(true).await;
    let (listed, ()) = tokio::join!(session.list_all_skills(), async {
        let list = peer.request().await;
        assert_eq!(list.method, "skills/list");
        peer.respond(list.id, json!({"skills": [entry.clone()]})).await;
    });
    let listed: Vec<Skill> = listed.expect("listed");
    only_ping_follows(&session, &mut peer).await;

    let (skill, ()) = tokio::join!(session.load_skill(listed[0].clone()), async {
        let read = peer.request().await;
        assert_eq!(read.method, "resources/read");
        assert!(read
            .params
            .as_deref()
            .is_some_and(|p| p.get().contains("skill://pdf/SKILL.md")));
        let contents =
            json!({"contents": [{"uri": "skill://pdf/SKILL.md", "mimeType": "text/markdown", "text": md}]});
        peer.respond(read.id, contents).await;
    });
    let skill = skill.expect("loads");
    only_ping_follows(&session, &mut peer).await;

    // A blob is verified over its decoded bytes.
    let (file, ()) = tokio::join!(session.read_skill_file(&skill, "FORMS.bin"), async {
        let read = peer.request().await;
        let blob = "YmluYXJ5AGZvcm1z"; // base64 of "binary\0forms"
        let contents = json!({"contents": [{"uri": "skill://pdf/FORMS.bin", "blob": blob}]});
        peer.respond(read.id, contents).await;
    });
    assert_eq!(file.expect("verified").bytes, forms.as_bytes());
    session.close().await;
}

#[tokio::test]
async fn a_server_that_does_not_declare_skills_is_not_asked() {
    let (session, mut peer) = scripted(false).await;
    let e = with_timeout(session.list_all_skills())
        .await
        .expect_err("not declared");
    assert!(matches!(e, ClientError::NotSupported { .. }), "{e}");
    let e = with_timeout(session.get_skill("skill://pdf/SKILL.md"))
        .await
        .expect_err("not declared");
    assert!(
        e.to_string().contains("does not declare the skills extension"),
        "{e}"
    );
    only_ping_follows(&session, &mut peer).await;
    session.close().await;
}
