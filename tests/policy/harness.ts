// Builds the arguments @pulumi/policy 1.21 hands to validate functions (see server.js:
// makeAnalyzeRpcFun / makeAnalyzeStackRpcFun), so policies run in tests as the engine runs them:
// props are plain JSON with secrets unwrapped, wrapped in the SDK's unknown-checking proxy, and
// the provider is a separate object with its URN.
import type {
    PolicyProviderResource,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

// The proxy the SDK wraps props in; internal to the SDK (its .d.ts is empty), loaded on its own
// so no policy server starts.
const proxy = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy<T>(value: T): T;
    unknownStringValue: string;
    unknownArrayValue: string;
    unknownObjectValue: string;
};

/** Values the engine does not know during preview (they depend on resources not created yet). */
export const unknowns = {
    string: proxy.unknownStringValue,
    array: proxy.unknownArrayValue,
    object: proxy.unknownObjectValue,
};

const project = "istio-multicloud";

/** The Kubernetes provider of a cluster, as the program names it (after the cluster). */
export function clusterProvider(cluster: string, stack = "dev"): PolicyProviderResource {
    return {
        type: "pulumi:providers:kubernetes",
        name: cluster,
        urn: `urn:pulumi:${stack}::${project}::istio-multicloud:clusters:Cluster$pulumi:providers:kubernetes::${cluster}`,
        props: {},
    };
}

/** The provider the engine makes up for a resource that names none. */
export function defaultProvider(stack = "dev"): PolicyProviderResource {
    return {
        type: "pulumi:providers:kubernetes",
        name: "default_4_34_2",
        urn: `urn:pulumi:${stack}::${project}::pulumi:providers:kubernetes::default_4_34_2`,
        props: {},
    };
}

export interface ResourceSpec {
    type: string;
    name: string;
    props: Record<string, any>;
    provider?: PolicyProviderResource;
    stack?: string;
    /** Pack config of the policy under test. */
    config?: Record<string, unknown>;
}

function urnOf(spec: { type: string; name: string; stack?: string }): string {
    return `urn:pulumi:${spec.stack ?? "dev"}::${project}::${spec.type}::${spec.name}`;
}

const notApplicable = (reason?: string): never => {
    throw new Error(`notApplicable: ${reason}`);
};

export function resourceArgs(spec: ResourceSpec): ResourceValidationArgs {
    const props = proxy.unknownCheckingProxy(JSON.parse(JSON.stringify(spec.props)));
    const args: ResourceValidationArgs = {
        type: spec.type,
        props,
        urn: urnOf(spec),
        name: spec.name,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => (spec.config ?? {}) as T,
        notApplicable,
    };
    if (spec.provider) args.provider = spec.provider;
    return args;
}

/** Violations a resource policy reports for one resource. */
export async function violations(policy: ResourceValidationPolicy, spec: ResourceSpec): Promise<string[]> {
    const found: string[] = [];
    const validations = Array.isArray(policy.validateResource)
        ? policy.validateResource
        : policy.validateResource
          ? [policy.validateResource]
          : [];
    for (const validate of validations) {
        await validate(resourceArgs(spec), (message) => found.push(message));
    }
    return found;
}

export function policyResource(spec: ResourceSpec): PolicyResource {
    const resource: PolicyResource = {
        type: spec.type,
        props: proxy.unknownCheckingProxy(JSON.parse(JSON.stringify(spec.props))),
        urn: urnOf(spec),
        name: spec.name,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    };
    if (spec.provider) resource.provider = spec.provider;
    return resource;
}

/** Violations a stack policy reports, with the URN each names. */
export async function stackViolations(
    policy: StackValidationPolicy,
    resources: ResourceSpec[],
    config: Record<string, unknown> = {},
): Promise<{ message: string; urn?: string }[]> {
    const found: { message: string; urn?: string }[] = [];
    const args: StackValidationArgs = {
        resources: resources.map(policyResource),
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable,
    };
    await policy.validateStack(args, (message, urn) => found.push({ message, urn }));
    return found;
}

export { urnOf };
