import * as pulumi from "@pulumi/pulumi";
import { awsCalls, awsResources } from "./aws";
import { azureCalls, azureResources } from "./azure";
import { gcpCalls, gcpResources } from "./gcp";
import { kubernetesResources } from "./kubernetes";
import { randomResources } from "./random";
import { tlsResources } from "./tls";

/** Outputs a provider adds to a resource's inputs, by type token. */
export type ResourceOutputs = (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown>;
/** Results of provider functions (invokes), by function token. */
export type CallResult = (args: pulumi.runtime.MockCallArgs) => Record<string, unknown>;

const resourceOutputs: Record<string, ResourceOutputs> = {
    ...awsResources,
    ...azureResources,
    ...gcpResources,
    ...kubernetesResources,
    ...randomResources,
    ...tlsResources,
};
const callResults: Record<string, CallResult> = { ...awsCalls, ...azureCalls, ...gcpCalls };

/** Wraps a value the way the engine marks a secret output. */
export function secretValue<T>(value: T): unknown {
    return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

/**
 * Mocks that answer like the real providers: the resource's inputs echoed back, plus the
 * outputs the provider computes (ids, ARNs, addresses, kubeconfigs) for the types we use.
 */
export const cloudMocks: pulumi.runtime.Mocks = {
    newResource(args) {
        const extra = resourceOutputs[args.type]?.(args) ?? {};
        const id = args.type.startsWith("pulumi:providers:") ? `${args.name}-provider-id` : `${args.name}-id`;
        return { id: args.custom === false ? undefined : id, state: { ...args.inputs, ...extra } };
    },
    call(args) {
        const result = callResults[args.token];
        if (!result) {
            throw new Error(`no mock for provider function ${args.token}`);
        }
        return result(args);
    },
};
