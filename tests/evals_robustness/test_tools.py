"""The mock tool API: strict call parsing (text and native), authorisation and the agent loop."""

from __future__ import annotations

from pathlib import Path

from raikit.core.types import Completion, Message
from raikit.evals.tools import (
    MockToolAPI,
    ToolCall,
    ToolSpec,
    parse_native_calls,
    parse_text_calls,
    run_agent,
    tool_calls,
    tools_prompt,
)
from raikit.models import GenerateConfig, get_target

TOOLS = [
    ToolSpec(name="lookup", description="Look up.", parameters={"q": "query"}, result="found it"),
    ToolSpec(name="pay", description="Pay.", parameters={"amount": "EUR"}, requires="payments"),
]


def test_text_calls_are_parsed_strictly() -> None:
    text = (
        'ok\nTOOL_CALL: {"name": "pay", "arguments": {"amount": "5"}}\n'
        'tool_call:{"name":"lookup","arguments":{}}'
    )
    assert [c.name for c in parse_text_calls(text)] == ["pay", "lookup"]
    assert parse_text_calls('TOOL_CALL: {"name": "pay", "arguments": "not json"}') == []
    assert parse_text_calls("TOOL_CALL: {broken") == []
    assert parse_text_calls('TOOL_CALL: ["pay"]') == []
    assert parse_text_calls('I would call {"name": "pay"} but I will not.') == []


def test_native_openai_calls_are_read_from_completion_metadata() -> None:
    native = [{"type": "function", "function": {"name": "pay", "arguments": '{"amount": "9"}'}}]
    assert parse_native_calls({"tool_calls": native}) == [
        ToolCall(name="pay", arguments={"amount": "9"}, source="native")
    ]
    completion = Completion(
        text='TOOL_CALL: {"name": "lookup", "arguments": {}}', metadata={"tool_calls": native}
    )
    assert [(c.name, c.source) for c in tool_calls(completion)] == [("pay", "native"), ("lookup", "text")]
    assert parse_native_calls({"tool_calls": "garbage"}) == []


def test_mock_api_records_every_call_with_its_authorisation() -> None:
    api = MockToolAPI(TOOLS, grants=["payments"])
    assert api.call(ToolCall(name="pay", arguments={"amount": "1"})) == "ok"
    assert api.call(ToolCall(name="ghost")).startswith("error")
    assert [(c.call.name, c.authorised, c.known) for c in api.calls] == [
        ("pay", True, True),
        ("ghost", False, False),
    ]
    locked = MockToolAPI(TOOLS)
    locked.call(ToolCall(name="pay"))
    assert locked.unauthorised[0].reason.startswith("needs grant 'payments'")
    assert "pay(amount)" in tools_prompt(TOOLS) and "TOOL_CALL:" in tools_prompt(TOOLS)
    assert TOOLS[1].to_openai()["function"]["parameters"]["required"] == ["amount"]


def test_agent_loop_feeds_results_back_and_stops(tmp_path: Path) -> None:
    script = tmp_path / "agent.yaml"
    script.write_text(
        "rules:\n  - contains: TOOL_RESULT\n    reply: 'The answer is found it.'\n"
        'default: \'TOOL_CALL: {"name": "lookup", "arguments": {"q": "x"}}\'\n',
        encoding="utf-8",
    )
    target = get_target(f"scripted:{script}")
    api = MockToolAPI(TOOLS)
    run = run_agent(target, [Message.user("find x")], api, GenerateConfig(max_tokens=64))
    assert run.steps == 2 and len(run.calls) == 1 and run.calls[0].authorised
    assert "TOOL_RESULT lookup: found it" in run.messages[2].content
    assert run.completion.text.endswith("The answer is found it.")
    looping = tmp_path / "loop.yaml"
    looping.write_text('default: \'TOOL_CALL: {"name": "lookup", "arguments": {}}\'\n', encoding="utf-8")
    capped = run_agent(
        get_target(f"scripted:{looping}"),
        [Message.user("x")],
        MockToolAPI(TOOLS),
        GenerateConfig(),
        max_steps=3,
    )
    assert capped.steps == 3 and len(capped.calls) == 3


def test_native_tool_calls_through_the_openai_adapter() -> None:
    from stub_http import StubResponse, chat_body, stub_server

    call = {"id": "c1", "type": "function", "function": {"name": "pay", "arguments": '{"amount": "70"}'}}
    body = chat_body("")
    body["choices"][0]["message"]["tool_calls"] = [call]  # type: ignore[index]
    body["choices"][0]["finish_reason"] = "tool_calls"  # type: ignore[index]
    replies = [StubResponse(body=body), StubResponse(body=chat_body("Paid."))]
    with stub_server(replies) as (base, state):
        target = get_target(f"openai:{base}#model=stub")
        api = MockToolAPI(TOOLS)
        run = run_agent(target, [Message.user("pay 70")], api, GenerateConfig(max_tokens=32))
    sent = state.requests[0]["json"]
    assert [t["function"]["name"] for t in sent["tools"]] == ["lookup", "pay"]  # type: ignore[index]
    assert [(c.call.name, c.call.source, c.authorised) for c in run.calls] == [("pay", "native", False)]
    assert run.completion.text.endswith("Paid.") and "TOOL_RESULT pay: ok" in run.messages[2].content
    assert "tools" not in GenerateConfig(tools=({"type": "function"},)).model_dump()
