/**
 * Mocks that take time: each resource answers after a delay proportional to its type's typical
 * duration, so a run of the program shows its real parallelism (what waits for what) in
 * wall-clock time.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { MeshConfig } from "../../stacks/config";
import { durationRuleFor, ResourceFacts, unknownTypeRule } from "../plan/durations";

/** The cluster a provider reference (`<urn>::<id>`) stands for, when it is a Kubernetes provider. */
export function clusterOfProviderRef(ref: string | undefined): string | undefined {
    if (!ref) return undefined;
    const urn = ref.split("::").slice(0, -1).join("::");
    const parts = urn.split("::");
    const type = parts[2] ?? "";
    return type.split("$").pop() === "pulumi:providers:kubernetes" ? parts[3] : undefined;
}

/** Typical seconds of what the mock engine is asked to create; plain components take none. */
export function simulatedSeconds(args: pulumi.runtime.MockResourceArgs, config: Pick<MeshConfig, "clusters">): number {
    const name = clusterOfProviderRef(args.provider);
    const cluster = config.clusters.find((c) => c.name === name);
    const facts: ResourceFacts = {
        type: args.type,
        name: args.name,
        inputs: args.inputs,
        cluster: cluster ? { name: cluster.name, cloud: cluster.cloud, role: cluster.role } : undefined,
    };
    const rule = durationRuleFor(facts);
    // A component the table does not know is one of this program's own: it does no work.
    if (args.custom === false && rule === unknownTypeRule) return 0;
    return rule.seconds;
}

/** `base`, answering each resource after its typical duration scaled to `msPerMinute`. */
export function delayedMocks(base: pulumi.runtime.Mocks, config: Pick<MeshConfig, "clusters">, msPerMinute: number): pulumi.runtime.Mocks {
    return {
        async newResource(args) {
            const ms = (simulatedSeconds(args, config) / 60) * msPerMinute;
            if (ms > 0) await new Promise((done) => setTimeout(done, ms));
            return base.newResource(args);
        },
        call: (args) => base.call(args),
    };
}
