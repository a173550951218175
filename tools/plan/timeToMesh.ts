/**
 * Estimated time from `pulumi up` to a working mesh, from the graph the program registered:
 * each operation gets its type's typical duration; an operation waits for its dependencies
 * (explicit and through inputs), for resources passed to it by reference, and for its provider.
 * A parent is not a dependency: a component's children do not wait for it.
 */
import type { MeshConfig } from "../../stacks/config";
import type { Recorder, Registration } from "../synthetic/engine";
import { durationRuleFor, DurationRule, ResourceFacts } from "./durations";
import { criticalPath, Operation, scheduledFinish, sequentialSum } from "./schedule";

/** An operation with what it stands for. */
export interface ResourceOperation extends Operation {
    registration: Registration;
    rule: DurationRule;
    cluster?: string;
}

/** The estimate the plan prints. */
export interface TimeToMesh {
    /** Finish time with at most `parallel` operations at once. */
    withParallelLimit: number;
    parallel: number;
    /** Finish time with unbounded parallelism: the critical path. */
    criticalPath: number;
    /** The chain of operations that sets the critical path, first to last. */
    path: ResourceOperation[];
    /** Every operation one after another. */
    sequential: number;
    operations: number;
}

/** The mesh cluster a registration belongs to: its Kubernetes provider's, or its nearest named ancestor's. */
export function clusterOf(rec: Recorder, r: Registration, clusterNames: Set<string>): string | undefined {
    const provider = rec.providerOf(r);
    if (provider?.type === "pulumi:providers:kubernetes") return provider.name;
    if (r.type === "pulumi:providers:kubernetes" && clusterNames.has(r.name)) return r.name;
    return [r, ...rec.ancestors(r)].find((a) => clusterNames.has(a.name))?.name;
}

/** Facts the duration table decides on, for one registration. */
export function factsOf(rec: Recorder, r: Registration, config: Pick<MeshConfig, "clusters">): ResourceFacts {
    const names = new Set(config.clusters.map((c) => c.name));
    const name = clusterOf(rec, r, names);
    const cluster = config.clusters.find((c) => c.name === name);
    return {
        type: r.type,
        name: r.name,
        inputs: r.inputs,
        cluster: cluster ? { name: cluster.name, cloud: cluster.cloud, role: cluster.role } : undefined,
    };
}

/**
 * The operations the engine would run: custom resources and multi-language components (whose
 * provider plugin does the work). Plain components take no time and never appear as
 * dependencies: the SDK expands a dependency on one into its resources.
 */
export function operationsOf(rec: Recorder, config: Pick<MeshConfig, "clusters">): ResourceOperation[] {
    const ops = rec.all.filter((r) => r.custom || r.remote);
    const ids = new Set(ops.map((r) => r.urn));
    return ops.map((r) => {
        const facts = factsOf(rec, r, config);
        const rule = durationRuleFor(facts);
        const provider = rec.providerOf(r);
        const waits = [...r.dependencies, ...r.references, ...(provider ? [provider.urn] : [])];
        const dependsOn = [...new Set(waits)].filter((u) => ids.has(u) && u !== r.urn);
        return { id: r.urn, seconds: rule.seconds, dependsOn, registration: r, rule, cluster: facts.cluster?.name };
    });
}

/** The estimate for one recorded run, with at most `parallel` operations at once. */
export function timeToMesh(rec: Recorder, config: Pick<MeshConfig, "clusters">, parallel: number): TimeToMesh {
    const ops = operationsOf(rec, config);
    const critical = criticalPath(ops);
    return {
        withParallelLimit: scheduledFinish(ops, parallel),
        parallel,
        criticalPath: critical.seconds,
        path: critical.path as ResourceOperation[],
        sequential: sequentialSum(ops),
        operations: ops.length,
    };
}
