"""An MCP server on the Python SDK (`mcp` 2.3.0, high-level `MCPServer` API), over stdio or,
with `--http PORT`, over Streamable HTTP on 127.0.0.1:PORT at `/mcp`.

Used by `tests/interop.rs` (`cargo xtask interop`). It offers:

- tools: `add` (plain text), `weather` (structured output, with an
  `outputSchema` derived from the return type), `slow_count` (reports
  progress and logs), `ask_name` (elicitation), `summarize` (sampling);
- tools whose client input goes through `Resolve(...)` resolvers, which the
  SDK serves in either era (a server-to-client request mid-call on an
  initialize-era connection, an `InputRequiredResult` on a 2026-07-28 one):
  `ask_name_resolved` (elicitation), `summarize_resolved` (sampling),
  `plan_trip` (two rounds: elicitation + roots, then sampling that depends on
  the elicited answer);
- a resource (`config://app`), a resource template (`greeting://{name}`) and
  a template that asks for input with a hand-written `InputRequiredResult`
  (`vault://{item}`, 2026-07-28 only);
- prompts: `review_code` with an argument and completions for it, and
  `greet_user`, which asks for input with a hand-written
  `InputRequiredResult` (2026-07-28 only);
- subscriptions (2026-07-28): `touch_config` publishes an update of
  `config://app`; `add_tool` registers a tool and publishes tools/list_changed;
  `tools/list` results carry `ttlMs` 60 s, so only that notification makes a
  caching client see the new tool;
- logging: `logging/setLevel` is served, tools log through the request context.

Protocol era: on stdio, mcp 2.x serves both eras on one entry point
(`Server.run` -> `serve_dual_era_loop`): the client's first request decides.
An `initialize` request opens the initialize-era connection; a first
request carrying the 2026-07-28 `_meta` envelope (e.g. `server/discover`)
opens the stateless one. With `--initialize-era-only` the server is driven
by `serve_loop` instead, which serves the handshake era only: a
`server/discover` before `initialize` gets -32601/-32602, so a dual-era
client falls back to `initialize`.

Over Streamable HTTP (`--http PORT`), `MCPServer.run("streamable-http")` serves
both eras on the one `/mcp` endpoint (uvicorn + starlette,
`StreamableHTTPSessionManager`): a POST whose `MCP-Protocol-Version` header is
not a handshake-era version goes to the single-exchange 2026-07-28 handler
(`_streamable_http_modern`), anything else to the stateful initialize-era
transport (`Mcp-Session-Id`, GET stream). In this mode only, the tool
`http_headers` returns the MCP headers of the HTTP request that carried the
call, as JSON.

Since 2.x deprecates logging, sampling and roots (2026-07-28, SEP-2577), their
deprecation warnings are silenced.
"""

import sys
import warnings
from typing import Annotated

import anyio
from mcp.server.caching import CacheHint
from mcp.server.mcpserver import Context, Elicit, ListRoots, MCPServer, Resolve, Sample
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp_types import (
    Completion,
    CreateMessageResult,
    ElicitRequest,
    ElicitRequestFormParams,
    ElicitResult,
    EmptyResult,
    InputRequiredResult,
    ListRootsResult,
    PromptReference,
    SamplingMessage,
    SetLevelRequestParams,
    TextContent,
)
from pydantic import BaseModel, Field

warnings.simplefilter("ignore", MCPDeprecationWarning)

INITIALIZE_ERA_ONLY = "--initialize-era-only" in sys.argv[1:]
HTTP_PORT = int(sys.argv[sys.argv.index("--http") + 1]) if "--http" in sys.argv[1:] else None

mcp = MCPServer(
    name="python-interop",
    version="2.3.0",
    instructions="A test server for mcp-client-rs.",
    # Fresh for a minute: a caching client sees a tool added later only
    # through the tools/list_changed notification of its listen stream.
    cache_hints={"tools/list": CacheHint(ttl_ms=60_000)},
)


@mcp.tool(structured_output=False)
def add(a: int, b: int) -> str:
    """Adds two integers and returns the sum as text."""
    return str(a + b)


class Weather(BaseModel):
    """The weather in a city."""

    city: str
    temperature: float = Field(description="degrees Celsius")
    conditions: str


@mcp.tool()
def weather(city: str) -> Weather:
    """Returns structured weather data for a city (structured output)."""
    return Weather(city=city, temperature=21.5, conditions="sunny")


@mcp.tool()
async def slow_count(steps: int, ctx: Context) -> str:
    """Counts to `steps`, reporting progress and logging at each step."""
    for i in range(1, steps + 1):
        await ctx.report_progress(i, steps, f"step {i} of {steps}")
        await ctx.info(f"slow_count reached {i}")
    return f"counted to {steps}"


class NameAnswer(BaseModel):
    """What `ask_name` asks the user."""

    name: str = Field(description="Your name")
    age: int = Field(description="Your age", ge=0, le=150)


@mcp.tool()
async def ask_name(ctx: Context) -> str:
    """Asks the client (elicitation) for a name and an age."""
    result = await ctx.elicit("Who are you?", NameAnswer)
    if result.action == "accept":
        return f"hello {result.data.name}, aged {result.data.age}"
    return f"elicitation {result.action}"


@mcp.tool()
async def summarize(text: str, ctx: Context) -> str:
    """Asks the client's model (sampling) to summarize `text`."""
    result = await ctx.session.create_message(
        messages=[SamplingMessage(role="user", content=TextContent(type="text", text=f"Summarize: {text}"))],
        max_tokens=50,
        related_request_id=ctx.request_id,
    )
    content = result.content
    answer = content.text if isinstance(content, TextContent) else str(content)
    return f"model {result.model} says: {answer}"


# --- Input through resolvers: standalone requests (initialize era) or
# InputRequiredResult rounds (2026-07-28), chosen by the SDK per request.


def who_is_asking() -> Elicit[NameAnswer]:
    return Elicit("Who is asking?", NameAnswer)


@mcp.tool()
def ask_name_resolved(who: Annotated[NameAnswer, Resolve(who_is_asking)]) -> str:
    """Asks the client (elicitation, through a resolver) for a name and an age."""
    return f"hello {who.name}, aged {who.age}"


def summary_of(text: str) -> Sample:
    return Sample(
        [SamplingMessage(role="user", content=TextContent(type="text", text=f"Summarize: {text}"))],
        max_tokens=50,
    )


def sampled_text(result: CreateMessageResult) -> str:
    content = result.content
    return content.text if isinstance(content, TextContent) else str(content)


@mcp.tool()
def summarize_resolved(text: str, summary: Annotated[CreateMessageResult, Resolve(summary_of)]) -> str:
    """Asks the client's model (sampling, through a resolver) to summarize `text`."""
    return f"model {summary.model} says: {sampled_text(summary)}"


class Trip(BaseModel):
    """Where to go."""

    city: str = Field(description="Destination city")


def destination() -> Elicit[Trip]:
    return Elicit("Where to?", Trip)


def advice(trip: Annotated[Trip, Resolve(destination)]) -> Sample:
    # Depends on the elicited answer: asked in the round after it.
    return Sample(
        [SamplingMessage(role="user", content=TextContent(type="text", text=f"Advice for {trip.city}?"))],
        max_tokens=50,
    )


def client_roots() -> ListRoots:
    return ListRoots()


@mcp.tool()
def plan_trip(
    trip: Annotated[Trip, Resolve(destination)],
    tip: Annotated[CreateMessageResult, Resolve(advice)],
    roots: Annotated[ListRootsResult, Resolve(client_roots)],
) -> str:
    """Two rounds of input: elicitation and roots first, then sampling about the elicited city."""
    uris = ",".join(str(r.uri) for r in roots.roots)
    return f"trip to {trip.city}: {sampled_text(tip)} (roots {uris})"


# --- Subscriptions (2026-07-28: delivered on `subscriptions/listen` streams).


@mcp.tool()
async def touch_config(ctx: Context) -> str:
    """Publishes an update of `config://app` to the listen streams."""
    await ctx.notify_resource_updated("config://app")
    return "touched"


@mcp.tool()
async def add_tool(name: str, ctx: Context) -> str:
    """Registers a tool `name` and publishes tools/list_changed."""

    def added() -> str:
        return "added"

    mcp.add_tool(added, name=name, description="Added at run time.")
    await ctx.notify_tools_changed()
    return f"added {name}"


@mcp.resource("config://app", mime_type="application/json")
def app_config() -> str:
    """The application's configuration."""
    return '{"feature": true}'


@mcp.resource("greeting://{name}")
def greeting(name: str) -> str:
    """A greeting for `name`."""
    return f"Hello, {name}!"


@mcp.prompt()
def review_code(code: str, language: str = "python") -> str:
    """Asks for a review of `code`."""
    return f"Please review this {language} code:\n\n{code}"


# --- Hand-written InputRequiredResult flows (2026-07-28 only).

STATE_PROMPT = "greet_user:round-1"
STATE_VAULT = "vault:round-1"


def form(message: str, prop: str, schema: dict) -> ElicitRequest:
    return ElicitRequest(
        params=ElicitRequestFormParams(
            message=message,
            requested_schema={"type": "object", "properties": {prop: schema}, "required": [prop]},
        )
    )


def accepted(ctx: Context, key: str, state: str) -> dict | None:
    """The accepted form content answering `key`, if this is the retry of the round that asked it."""
    answer = (ctx.input_responses or {}).get(key)
    if ctx.request_state != state or not isinstance(answer, ElicitResult) or answer.action != "accept":
        return None
    return answer.content or {}


@mcp.prompt()
def greet_user(ctx: Context) -> str | InputRequiredResult:
    """Asks (elicitation, hand-written InputRequiredResult) whom to greet."""
    content = accepted(ctx, "whom", STATE_PROMPT)
    if content is None:
        return InputRequiredResult(
            input_requests={"whom": form("Whom to greet?", "name", {"type": "string"})},
            request_state=STATE_PROMPT,
        )
    return f"Please greet {content['name']} warmly."


@mcp.resource("vault://{item}", mime_type="text/plain")
def vault(item: str, ctx: Context) -> str | InputRequiredResult:
    """A resource read that asks (elicitation) for a confirmation first."""
    content = accepted(ctx, "confirm", STATE_VAULT)
    if content is None:
        return InputRequiredResult(
            input_requests={"confirm": form(f"Reveal {item}?", "reveal", {"type": "boolean"})},
            request_state=STATE_VAULT,
        )
    return f"{item} revealed: {content['reveal']}"


@mcp.completion()
async def complete(ref, argument, context):
    if isinstance(ref, PromptReference) and ref.name == "review_code" and argument.name == "language":
        languages = ["python", "perl", "php", "rust", "ruby"]
        values = [lang for lang in languages if lang.startswith(argument.value)]
        return Completion(values=values, total=len(values), has_more=False)
    return None


async def set_level(ctx, params: SetLevelRequestParams) -> EmptyResult:
    # MCPServer does not serve `logging/setLevel` itself (logging is deprecated
    # as of 2026-07-28); a handler on the low-level server declares the
    # `logging` capability. On initialize-era connections every level is sent.
    return EmptyResult()


mcp._lowlevel_server.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)



async def run_initialize_era_only() -> None:
    """Serves the initialize era only (no dual-era routing)."""
    from mcp.server.runner import serve_loop
    from mcp.server.stdio import stdio_server

    server = mcp._lowlevel_server
    async with stdio_server() as (read_stream, write_stream):
        async with server.lifespan(server) as lifespan_state:
            await serve_loop(
                server,
                read_stream,
                write_stream,
                lifespan_state=lifespan_state,
                init_options=server.create_initialization_options(),
            )


if HTTP_PORT is not None:

    @mcp.tool()
    def http_headers(ctx: Context) -> str:
        """The MCP headers of the HTTP request that carried this call, as JSON."""
        import json

        headers = ctx.headers or {}
        names = ["mcp-session-id", "mcp-protocol-version", "mcp-method", "mcp-name"]
        return json.dumps({n: headers.get(n) for n in names})


if __name__ == "__main__":
    if HTTP_PORT is not None:
        mcp.run("streamable-http", host="127.0.0.1", port=HTTP_PORT)
    elif INITIALIZE_ERA_ONLY:
        anyio.run(run_initialize_era_only)
    else:
        mcp.run("stdio")
