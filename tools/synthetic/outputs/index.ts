/**
 * SYNTHETIC cloud: what the providers would answer, computed offline. Every id, ARN, address,
 * kubeconfig, token and certificate here is made up (deterministic per resource name) so that
 * the real program runs under Pulumi's mock engine with no credentials and no network: in the
 * tests, in `npm run plan` and in `npm run bench`. None of it exists in any cloud.
 */
import * as pulumi from "@pulumi/pulumi";
import { allClouds } from "../../../clouds";
import { kubernetesResources } from "./kubernetes";
import { randomResources } from "./random";
import { stackReferenceResources } from "./stacks";
import { tlsResources } from "./tls";
import type { CallResult, ResourceOutputs } from "./types";

export { secretValue } from "./types";
export { publishedStacks } from "./stacks";
export type { PublishedStack } from "./stacks";
export type { CallResult, ResourceOutputs } from "./types";

const resourceOutputs: Record<string, ResourceOutputs> = {
    // The engine's built-in Stash keeps the input of its first deployment as its output.
    "pulumi:index:Stash": ({ inputs }) => ({ output: inputs.input }),
    // What each cloud's providers answer: registered by its module (clouds/<cloud>.ts).
    ...Object.assign({}, ...allClouds().map((c) => c.synthetic.resources)),
    ...kubernetesResources,
    ...randomResources,
    ...stackReferenceResources,
    ...tlsResources,
};
const callResults: Record<string, CallResult> = Object.assign({}, ...allClouds().map((c) => c.synthetic.calls ?? {}));

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
