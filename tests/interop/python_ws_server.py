"""An MCP server on the Python SDK 1.x (`mcp` 1.30.0, `FastMCP`), over the SDK's
WebSocket server transport (`mcp.server.websocket`, subprotocol `mcp`), served
by uvicorn (`websockets`) on 127.0.0.1:PORT at `/ws`: `python_ws_server.py PORT`.

Used by `tests/interop.rs` (`cargo xtask interop`). The SDK 1.x speaks the
initialize era only: it answers the client's `server/discover` probe with an
error, and a dual-era client falls back to `initialize`. It offers:

- tools: `add` (plain text), `ask_name` (elicitation), `summarize` (sampling);
- a resource `config://app` and a template `greeting://{name}`;
- a prompt `review_code` with an argument.

WebSocket was dropped from the SDK in 2.0; its deprecation warnings are
silenced.
"""

import sys
import warnings

import uvicorn
from mcp.server.fastmcp import Context, FastMCP
from mcp.server.websocket import websocket_server
from mcp.types import SamplingMessage, TextContent
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

warnings.simplefilter("ignore", DeprecationWarning)

PORT = int(sys.argv[1])

# The SDK logs every request, and the refused `server/discover` probe at
# length; the test needs only errors.
mcp = FastMCP(
    name="python-ws-interop",
    instructions="A WebSocket test server for mcp-client-rs.",
    log_level="ERROR",
)


@mcp.tool()
def add(a: int, b: int) -> str:
    """Adds two integers and returns the sum as text."""
    return str(a + b)


class NameAnswer(BaseModel):
    """What `ask_name` asks the user."""

    name: str = Field(description="Your name")


@mcp.tool()
async def ask_name(ctx: Context) -> str:
    """Asks the user for their name (elicitation)."""
    answer = await ctx.elicit("What is your name?", schema=NameAnswer)
    if answer.action != "accept" or answer.data is None:
        return f"no name ({answer.action})"
    return f"hello {answer.data.name}"


@mcp.tool()
async def summarize(text: str, ctx: Context) -> str:
    """Asks the client's model to summarize `text` (sampling)."""
    result = await ctx.session.create_message(
        messages=[SamplingMessage(role="user", content=TextContent(type="text", text=f"Summarize: {text}"))],
        max_tokens=100,
    )
    content = result.content
    return f"summary: {content.text}" if isinstance(content, TextContent) else "summary: (not text)"


@mcp.resource("config://app", mime_type="application/json")
def config() -> str:
    """The application's configuration."""
    return '{"theme": "dark"}'


@mcp.resource("greeting://{name}")
def greeting(name: str) -> str:
    """A greeting for `name`."""
    return f"Hello, {name}!"


@mcp.prompt()
def review_code(code: str) -> str:
    """Asks for a review of `code`."""
    return f"Please review this code:\n\n{code}"


async def endpoint(websocket: WebSocket) -> None:
    server = mcp._mcp_server
    async with websocket_server(websocket.scope, websocket.receive, websocket.send) as (read, write):
        await server.run(read, write, server.create_initialization_options())


app = Starlette(routes=[WebSocketRoute("/ws", endpoint=endpoint)])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=PORT, ws="websockets-sansio", log_level="warning")
