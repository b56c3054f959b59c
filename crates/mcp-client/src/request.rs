//! Sending a request in the era the session settled on, with a new
//! handshake when the transport's session expired (its request did not run).

use mcp_jsonrpc::RawValue;
use mcp_types::RequestMethod;
use serde::Serialize;

use crate::error::Result;
use crate::options::CallOptions;
use crate::session::ClientSession;
use crate::wire::decode;

impl ClientSession {
    /// Sends `method` and returns its raw final result; nothing is sent
    /// before the handshake.
    pub(crate) async fn request_value<P: Serialize + ?Sized>(
        &self,
        method: &'static str,
        params: &P,
        call: &CallOptions,
    ) -> Result<Box<RawValue>> {
        let established = self.established(method)?;
        let cx = self.ctx();
        match established.era.request(&cx, method, params, call).await {
            Err(e) if e.is_session_expired() => {
                Box::pin(async {
                    self.renew_handshake(established.generation).await?;
                    let established = self.established(method)?;
                    established.era.request(&cx, method, params, call).await
                })
                .await
            }
            other => other,
        }
    }

    /// Sends a request typed by its method marker and decodes its result.
    pub(crate) async fn typed_request<M: RequestMethod>(
        &self,
        params: &M::Params,
        call: &CallOptions,
    ) -> Result<M::Result> {
        let raw = self.request_value(M::METHOD, params, call).await?;
        decode(M::METHOD, &raw)
    }

    /// [`typed_request`](Self::typed_request), with the size of the raw
    /// result in bytes (for the limits on listings).
    pub(crate) async fn sized_request<M: RequestMethod>(
        &self,
        params: &M::Params,
        call: &CallOptions,
    ) -> Result<(M::Result, usize)> {
        let raw = self.request_value(M::METHOD, params, call).await?;
        Ok((decode(M::METHOD, &raw)?, raw.get().len()))
    }
}
