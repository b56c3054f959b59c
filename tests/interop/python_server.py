"""An MCP server on the Python SDK (`mcp` 2.3.0, high-level `MCPServer` API), over stdio.

Used by `tests/interop.rs` (`cargo xtask interop`). It offers:

- tools: `add` (plain text), `weather` (structured output, with an
  `outputSchema` derived from the return type), `slow_count` (reports
  progress and logs), `ask_name` (elicitation), `summarize` (sampling);
- a resource (`config://app`) and a resource template (`greeting://{name}`);
- a prompt (`review_code`) with an argument, and completions for it;
- logging: `logging/setLevel` is served, tools log through the request context.

Protocol era: on stdio, mcp 2.x serves both eras on one entry point
(`Server.run` -> `serve_dual_era_loop`): the client's first request decides.
An `initialize` request opens the legacy (initialize-era) connection, so no
configuration is needed for it; a first request carrying the 2026-07-28
`_meta` envelope would open the modern (stateless) one instead.

Since 2.x deprecates logging, sampling and roots (2026-07-28, SEP-2577), their
deprecation warnings are silenced: they still work on initialize-era
connections, which is what this server is for.
"""

import warnings

from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp_types import (
    Completion,
    EmptyResult,
    PromptReference,
    SamplingMessage,
    SetLevelRequestParams,
    TextContent,
)
from pydantic import BaseModel, Field

warnings.simplefilter("ignore", MCPDeprecationWarning)

mcp = MCPServer(name="python-interop", version="2.3.0", instructions="A test server for mcp-client-rs.")


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

if __name__ == "__main__":
    mcp.run("stdio")
