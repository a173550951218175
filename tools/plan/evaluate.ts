/**
 * Runs the real program (stacks/mesh.ts `buildMesh`, what index.ts runs under `pulumi up`)
 * under Pulumi's mock engine against the synthetic cloud, and keeps what it registered, logged
 * and threw.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadMeshConfig, MeshConfig } from "../../stacks/config";
import { buildMesh, MeshOutputs } from "../../stacks/mesh";
import { MockEngineOptions, Recorder, settle, startMockEngine } from "../synthetic/engine";

/** What one run of the program left behind. */
export interface Evaluation {
    /** Every registration, in order, with dependencies, provider and parent. */
    rec: Recorder;
    /** The validated config the program built from (absent when it was refused). */
    config?: MeshConfig;
    outputs?: MeshOutputs;
    /** Messages the program logged with `pulumi.log.warn`, in order. */
    warnings: string[];
    /** Why the program failed, as `pulumi up` would show it. */
    error?: { message: string; configError: boolean };
}

/**
 * Runs the program once with `config` (full keys to strings, as Pulumi passes them; keys
 * without a namespace are this project's, other values are passed as JSON). Never throws for
 * the program's own failures: they come back in `error`.
 */
export async function evaluateProgram(config: Record<string, unknown>, options: MockEngineOptions = {}): Promise<Evaluation> {
    const warnings: string[] = [];
    const failures: unknown[] = [];
    // Under the mock engine the SDK would print warnings to the console; keep them instead.
    const log = pulumi.log as { warn: typeof pulumi.log.warn };
    const originalWarn = log.warn;
    log.warn = (msg: string) => {
        warnings.push(msg);
        return Promise.resolve();
    };
    // A failure inside an apply rejects outputs nobody awaits: collect it rather than crash.
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);

    const rec = startMockEngine(config, options);
    let outputs: MeshOutputs | undefined;
    try {
        outputs = await buildMesh();
        await settle();
    } catch (err) {
        failures.unshift(err);
    } finally {
        log.warn = originalWarn;
        process.off("unhandledRejection", onRejection);
    }
    const evaluation: Evaluation = { rec, outputs, warnings };
    if (failures.length > 0) {
        const first = failures[0];
        evaluation.error = {
            message: first instanceof Error ? first.message : String(first),
            configError: first instanceof ConfigError,
        };
        return evaluation;
    }
    evaluation.config = loadMeshConfig().config;
    return evaluation;
}
