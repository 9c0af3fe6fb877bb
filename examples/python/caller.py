"""A Python service provisioning Bird channels through the published contract (contracts/, docs/callers.md).

    python caller.py provision input.json          # start (or attach), wait, print the outcome as JSON
    python caller.py cancel input.json STAGE        # start, wait for STAGE, cancel, print what was undone

Settings: TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE (default), TEMPORAL_TASK_QUEUE (channel-provisioning).
"""
import asyncio
import json
import os
import sys
from urllib.parse import quote

from temporalio.client import Client, WorkflowFailureError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, CancelledError


SAFE = "!'()*"


def workflow_id(inp: dict) -> str:
    # contracts/conventions.json, workflows.provisionChannel.templates: SMS is named by its number
    # (provision/<workspaceId>/<phoneNumberId>), every other template by its name
    # (provision/<workspaceId>/<connectorTemplateRef>/<encodeURIComponent(name)>); UUIDs lower-cased.
    workspace, connector = inp["workspaceId"].lower(), inp["connector"]
    if connector["connectorTemplateRef"] == "sms-messagebird:1":
        return f"provision/{workspace}/{connector['arguments']['phoneNumberId'].lower()}"
    # quote(safe=...) encodes exactly what JavaScript's encodeURIComponent does.
    return f"provision/{workspace}/{connector['connectorTemplateRef']}/{quote(connector['name'], safe=SAFE)}"


async def start(client: Client, inp: dict):
    return await client.start_workflow(
        "provisionChannel",
        inp,  # as callers write it: durations like "2s", defaults left out (provisioning-input.schema.json)
        id=workflow_id(inp),
        task_queue=os.environ.get("TEMPORAL_TASK_QUEUE", "channel-provisioning"),
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )


async def outcome(handle) -> dict:
    try:
        return {"ok": True, "result": await handle.result()}
    except WorkflowFailureError as err:
        cause = err.cause
        if isinstance(cause, CancelledError):
            progress = await handle.query("progress")  # provisioning-progress.schema.json
            return {"ok": False, "cancelled": True, "compensation": progress.get("compensation")}
        if isinstance(cause, ApplicationError):
            # provisioning-failure.schema.json: ProvisioningFailed (details[0]: what failed, what was undone)
            # or InvalidProvisioningInput (details[0]: "field: reason" strings).
            return {"ok": False, "type": cause.type, "message": cause.message, "details": list(cause.details)}
        raise


async def main() -> None:
    action, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        inp = json.load(f)
    client = await Client.connect(os.environ.get("TEMPORAL_ADDRESS", "127.0.0.1:7233"), namespace=os.environ.get("TEMPORAL_NAMESPACE", "default"))
    handle = await start(client, inp)
    if action == "cancel":
        stage = sys.argv[3]
        while (await handle.query("progress"))["stage"] != stage:
            await asyncio.sleep(0.1)
        await handle.cancel()
    print(json.dumps(await outcome(handle)))


if __name__ == "__main__":
    asyncio.run(main())
    # The SDK's Rust core keeps native threads that may call into Python while the interpreter finalizes
    # ("Fatal Python error: PyGILState_Release", seen in CI after the result was printed): leave without finalizing.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
