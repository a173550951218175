/**
 * Runs the steps of a mesh plan one after another against a workspace (the Pulumi Automation
 * API in `workspace.ts`, a fake in tests), with a progress line per step; stops at the first
 * failure, naming the stack and the pass.
 */
import { explainPulumiError, MeshError } from "./errors";
import type { MeshPlan, Step } from "./order";

/** Resource changes by operation, as Pulumi counts them (`{ create: 2, same: 40 }`). */
export type Changes = Record<string, number | undefined>;

/** A stack of the workspace, ready for operations. */
export interface MeshStack {
    up(onOutput: (text: string) => void): Promise<Changes | undefined>;
    preview(onOutput: (text: string) => void): Promise<Changes | undefined>;
    destroy(onOutput: (text: string) => void): Promise<Changes | undefined>;
}

/** Where the stacks live: one Pulumi project in one backend. */
export interface MeshWorkspace {
    /** The project directory, for messages. */
    readonly workDir: string;
    /**
     * The stack `name`; when missing: created first if `create`, else undefined. Must not
     * change which stack the user has selected, or put it back in `close`.
     */
    open(name: string, create: boolean): Promise<{ stack: MeshStack; created: boolean } | undefined>;
    /** Called once when the run ends, successful or not. */
    close(): Promise<void>;
}

/** Where the run reports: progress lines, and each stack's Pulumi output. */
export interface RunIo {
    progress(line: string): void;
    output(step: Step, text: string): void;
}

/** What a preview can and cannot tell, said before and after previews. */
export const previewCaveat =
    "Each stack is previewed against its peers' CURRENT outputs: what a peer publishes only in a later pass of up " +
    "(remote secrets, east-west addresses, attached) is not in this preview, so up may change more than it shows.";

/** `[pass B] up aks-team` */
export function stepLabel(step: Step): string {
    switch (step.action) {
        case "init":
            return `[init] ${step.create ? "select or create" : "select"} ${step.stack}`;
        case "up":
            return `[pass ${step.pass}] up ${step.stack}`;
        default:
            return `[${step.action}] ${step.stack}`;
    }
}

/** The plan as a numbered list, before anything runs. */
export function describePlan(plan: MeshPlan): string {
    const width = String(plan.steps.length).length;
    return [
        `mesh ${plan.operation}: ${plan.stacks.length} stack${plan.stacks.length === 1 ? "" : "s"}, ${plan.steps.length} steps`,
        ...plan.steps.map((s, i) => `  ${String(i + 1).padStart(width)}. ${stepLabel(s)}: ${s.why}`),
    ].join("\n");
}

/** `create 2, update 1, same 40`; empty when nothing is counted. */
export function formatChanges(changes: Changes | undefined): string {
    return Object.entries(changes ?? {})
        .filter(([, n]) => (n ?? 0) > 0)
        .map(([op, n]) => `${op} ${n}`)
        .join(", ");
}

/** How far a run got. */
export interface RunResult {
    /** Steps done, in order. */
    done: Step[];
    /** Destroy steps skipped because the stack does not exist. */
    skipped: Step[];
}

/** A step failed: the message names the step's stack and pass, and what was not run. */
export class MeshStepError extends MeshError {
    constructor(
        public readonly step: Step,
        message: string,
    ) {
        super(message);
        this.name = "MeshStepError";
    }
}

/** Runs every step of `plan` in order; throws MeshStepError at the first failure. */
export async function runPlan(plan: MeshPlan, workspace: MeshWorkspace, io: RunIo): Promise<RunResult> {
    const stacks = new Map<string, MeshStack>();
    const done: Step[] = [];
    const skipped: Step[] = [];
    const missing: Step[] = [];
    const stepsLeft = (from: number) =>
        plan.steps
            .slice(from)
            .map((s) => stepLabel(s).replace(/^\[(.*?)\] /, "$1 "))
            .join("; ") || "none";
    if (plan.operation === "preview") io.progress(previewCaveat);
    try {
        for (const [i, step] of plan.steps.entries()) {
            // Preview checks every stack before failing, to name all missing ones at once.
            if (missing.length > 0 && step.action !== "init") break;
            io.progress(`${stepLabel(step)}: ${step.why}`);
            try {
                if (step.action === "init") {
                    const opened = await workspace.open(step.pulumiStack, step.create);
                    if (!opened) {
                        missing.push(step);
                        io.progress(`${stepLabel(step)}: does not exist`);
                        continue;
                    }
                    stacks.set(step.stack, opened.stack);
                    io.progress(`${stepLabel(step)}: ${opened.created ? "created (empty)" : "exists"}`);
                } else {
                    let stack = stacks.get(step.stack);
                    if (!stack && step.action === "destroy") {
                        const opened = await workspace.open(step.pulumiStack, false);
                        if (!opened) {
                            skipped.push(step);
                            io.progress(`${stepLabel(step)}: no such stack in the backend, nothing to destroy`);
                            continue;
                        }
                        stack = opened.stack;
                    }
                    if (!stack) throw new Error(`runPlan: ${step.stack} was not opened before ${stepLabel(step)}`);
                    const onOutput = (text: string) => io.output(step, text);
                    const changes = await (step.action === "up"
                        ? stack.up(onOutput)
                        : step.action === "preview"
                          ? stack.preview(onOutput)
                          : stack.destroy(onOutput));
                    const counted = formatChanges(changes);
                    io.progress(`${stepLabel(step)}: done${counted ? ` (${counted})` : ""}`);
                }
                done.push(step);
            } catch (err) {
                const where = step.action === "up" ? `pass ${step.pass}, up of ${step.stack}` : `${step.action} of ${step.stack}`;
                const explained = explainPulumiError(err, { stack: step.pulumiStack, action: step.action, workDir: workspace.workDir });
                throw new MeshStepError(
                    step,
                    `${where} failed: ${explained}\n` +
                        `Not run: ${stepsLeft(i + 1)}. Fix it and run the same command again: steps already done run again without changes.`,
                );
            }
        }
        if (missing.length > 0) {
            const names = missing.map((s) => s.pulumiStack);
            throw new MeshStepError(
                missing[0],
                `${plan.operation} needs every stack of the mesh to exist; missing: ${names.join(", ")}. ` +
                    `npm run mesh -- up creates them (or pulumi stack init ${names[0]}); preview creates none.`,
            );
        }
    } finally {
        try {
            await workspace.close();
        } catch (err) {
            io.progress(`note: closing the workspace failed: ${explainPulumiError(err, { action: "open", workDir: workspace.workDir })}`);
        }
    }
    if (plan.operation === "preview") io.progress(previewCaveat);
    return { done, skipped };
}
