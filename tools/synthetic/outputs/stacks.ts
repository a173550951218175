import type { ResourceOutputs } from "./types";
import { secretValue } from "./types";

/** What another stack has published: its outputs, and which of them are secret. */
export interface PublishedStack {
    outputs: Record<string, unknown>;
    secretOutputNames: string[];
}

/**
 * Outputs of the other stacks a program reads with StackReference, by fully qualified name.
 * A stack not listed answers as a stack that exists but has published nothing yet.
 */
export const publishedStacks = new Map<string, PublishedStack>();

/** The engine's answer to a StackReference read: outputs, secret ones wrapped as secrets. */
export const stackReferenceResources: Record<string, ResourceOutputs> = {
    "pulumi:pulumi:StackReference": ({ inputs }) => {
        const stack = publishedStacks.get(inputs.name);
        if (!stack) return { outputs: {}, secretOutputNames: [] };
        const outputs = Object.fromEntries(
            Object.entries(stack.outputs).map(([k, v]) => [k, stack.secretOutputNames.includes(k) ? secretValue(v) : v]),
        );
        return { outputs, secretOutputNames: stack.secretOutputNames };
    },
};
