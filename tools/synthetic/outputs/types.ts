import * as pulumi from "@pulumi/pulumi";

/** Outputs a provider adds to a resource's inputs, by type token. */
export type ResourceOutputs = (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown>;
/** Results of provider functions (invokes), by function token. */
export type CallResult = (args: pulumi.runtime.MockCallArgs) => Record<string, unknown>;

/** Wraps a value the way the engine marks a secret output. */
export function secretValue<T>(value: T): unknown {
    return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}
