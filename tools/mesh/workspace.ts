/**
 * The stacks of the mesh through the Pulumi Automation API (which drives the Pulumi CLI in the
 * project directory). Every operation names its stack (`--stack`); selecting one, as
 * `Stack.select` and `Stack.create` do, changes the stack the user's next `pulumi up` in that
 * directory acts on, so the selection found at the start is put back at the end.
 */
import { LocalWorkspace, OpMap, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import type { Changes, MeshStack, MeshWorkspace } from "./run";

/** Stack operations with the output streamed to `onOutput`; each resolves to its change counts. */
function meshStack(stack: Stack): MeshStack {
    const counts = (map: OpMap | undefined): Changes | undefined => map as Changes | undefined;
    return {
        up: async (onOutput) => counts((await stack.up({ onOutput })).summary.resourceChanges),
        preview: async (onOutput) => counts((await stack.preview({ onOutput })).changeSummary),
        destroy: async (onOutput) => counts((await stack.destroy({ onOutput })).summary.resourceChanges),
    };
}

/** A workspace on the Pulumi project in `workDir`. Throws the CLI's errors as they come. */
export async function pulumiWorkspace(workDir: string): Promise<MeshWorkspace> {
    const workspace = await LocalWorkspace.create({ workDir });
    // The stack the user had selected, to put back.
    const selected = (await workspace.stack())?.name;
    let changedSelection = false;
    return {
        workDir,
        async open(name, create) {
            changedSelection = true;
            try {
                return { stack: meshStack(await Stack.select(name, workspace)), created: false };
            } catch (err) {
                if (!(err instanceof StackNotFoundError)) throw err;
                if (!create) return undefined;
            }
            return { stack: meshStack(await Stack.create(name, workspace)), created: true };
        },
        async close() {
            // With no stack selected before, the last one opened stays selected (the CLI's
            // `stack unselect` is not part of the Automation API).
            if (changedSelection && selected !== undefined) await workspace.selectStack(selected);
        },
    };
}
