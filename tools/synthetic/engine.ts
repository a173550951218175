/**
 * The mock engine the offline tools and the tests run the real program under: Pulumi's own
 * mocks (`pulumi.runtime.setMocks`) answered by the synthetic cloud in ./outputs, plus a
 * recorder of every registration with its dependencies, provider and parent.
 */
import * as pulumi from "@pulumi/pulumi";
import { cloudMocks, PublishedStack, publishedStacks } from "./outputs";

/** One resource registration as the engine received it. */
export interface Registration {
    type: string;
    name: string;
    /** URN as the mock monitor hands it out (the parent's own type, then this one's). */
    urn: string;
    /**
     * URN as the Pulumi engine forms it: every ancestor's type, outermost first
     * (`A$B$C::name`). The mock monitor keeps only the parent's type, so the two differ from
     * grandchildren on; state is keyed by this one.
     */
    engineUrn: string;
    custom: boolean;
    /** A multi-language component (e.g. `@pulumi/eks`'s): its provider plugin builds its children. */
    remote: boolean;
    /** URN of the parent resource ("" for the stack's direct children). */
    parent: string;
    /** Provider reference (`<urn>::<id>`), "" when none was given. */
    provider: string;
    /** URNs of every resource this one depends on (explicit and through inputs). */
    dependencies: string[];
    /**
     * URNs of resources passed as inputs by reference (e.g. an eks Cluster handed to an eks
     * ManagedNodeGroup): the provider that receives them waits for them, although the SDK does not
     * list them as dependencies.
     */
    references: string[];
    /** Inputs as sent, secrets still wrapped. */
    inputs: Record<string, any>;
    deleteBeforeReplace: boolean;
    replaceOnChanges: string[];
    ignoreChanges: string[];
    protect: boolean;
    /** Kept in the cluster or cloud when Pulumi deletes it (`retainOnDelete`). */
    retainOnDelete: boolean;
    customTimeouts?: { create: string; update: string; delete: string };
    /**
     * Engine URNs this resource answers to besides its own: its aliases, resolved as the engine
     * resolves them, and those it inherits from its parent's aliases.
     */
    aliases: string[];
}

const sig = pulumi.runtime.specialSigKey;

/** The qualified type of an engine URN (`A$B$C`). */
const qualifiedType = (urn: string) => urn.split("::")[2];
/** The name of a URN (everything after its fourth `::`, which may itself contain `::`). */
const urnName = (urn: string) => urn.split("::").slice(3).join("::");

/** An engine URN: under `parentEngineUrn` ("" for the stack's root), every ancestor's type then `type`. */
function engineUrnOf(stack: string, project: string, parentEngineUrn: string, type: string, name: string): string {
    // The root stack resource's type is never part of its children's URNs.
    const underRoot = !parentEngineUrn || qualifiedType(parentEngineUrn) === "pulumi:pulumi:Stack";
    const qualified = underRoot ? type : `${qualifiedType(parentEngineUrn)}$${type}`;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/**
 * The engine URNs a registration answers to besides its own, as the engine derives them (the
 * Node SDK's `allAliases`/`inheritedChildAlias` in `@pulumi/pulumi/resource.js`, which the SDK
 * leaves to the engine when it supports alias specs): each alias of its own (a URN, or a spec
 * whose empty fields are the resource's own; `noParent` puts it at the stack's root), and for
 * each alias of its parent the same child under that alias, the parent's name prefix of the
 * child's name replaced by the alias's name.
 */
function engineAliases(req: any, parent: Registration | undefined, toEngineUrn: (mockUrn: string) => string): string[] {
    const stack = pulumi.getStack();
    const project = pulumi.getProject();
    const own = req.getAliasesList().map((alias: any): string => {
        if (alias.hasUrn()) return alias.getUrn();
        const spec = alias.getSpec();
        const aliasParent = spec.getNoparent() ? "" : spec.getParenturn() ? toEngineUrn(spec.getParenturn()) : (parent?.engineUrn ?? "");
        return engineUrnOf(
            spec.getStack() || stack,
            spec.getProject() || project,
            aliasParent,
            spec.getType() || req.getType(),
            spec.getName() || req.getName(),
        );
    });
    const inherited: string[] = [];
    for (const parentAlias of parent?.aliases ?? []) {
        const under = (name: string, type: string) => {
            const renamed = name.startsWith(parent!.name) ? urnName(parentAlias) + name.slice(parent!.name.length) : name;
            return engineUrnOf(stack, project, parentAlias, type, renamed);
        };
        inherited.push(under(req.getName(), req.getType()));
        for (const alias of own) inherited.push(under(urnName(alias), qualifiedType(alias).split("$").pop()!));
    }
    return [...new Set([...own, ...inherited])];
}

/** URNs of the resource references anywhere in serialized properties. */
function resourceReferences(value: unknown, found: string[] = []): string[] {
    if (Array.isArray(value)) {
        value.forEach((v) => resourceReferences(v, found));
    } else if (value && typeof value === "object") {
        const v = value as Record<string, unknown>;
        if (v[sig] === pulumi.runtime.specialResourceSig && typeof v.urn === "string") {
            if (!found.includes(v.urn)) found.push(v.urn);
        } else {
            Object.values(v).forEach((x) => resourceReferences(x, found));
        }
    }
    return found;
}

/** True when the value is a secret as the engine sees it. */
export function isSecret(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as any)[sig] === pulumi.runtime.specialSecretSig;
}

/** The value with every secret wrapper removed, at any depth. */
export function reveal<T = any>(value: unknown): T {
    if (isSecret(value)) {
        return reveal((value as any).value);
    }
    if (Array.isArray(value)) {
        return value.map((v) => reveal(v)) as T;
    }
    if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)])) as T;
    }
    return value as T;
}

/** Resolves an Output (or plain value) in a test, keeping whether it was secret. */
export function resolve<T>(output: pulumi.Input<T>): Promise<{ value: T; secret: boolean }> {
    const o = pulumi.output(output);
    return new Promise((ok) => {
        (o as any).isSecret.then((secret: boolean) => o.apply((value) => ok({ value: value as T, secret })));
    });
}

/** How the mock engine runs the program. */
export interface MockEngineOptions {
    /** Stack name the program sees (`pulumi.getStack()`); default `dev`. */
    stack?: string;
    /** Config keys the engine marks secret (without namespace: this project's). */
    secretKeys?: string[];
    /** Provider answers; default the synthetic cloud (`cloudMocks`). */
    mocks?: pulumi.runtime.Mocks;
    /** Organization the program sees (`pulumi.getOrganization()`); default `organization`, the local backend's. */
    organization?: string;
    /** Outputs of the other stacks the program reads, by fully qualified name; none by default. */
    publishedStacks?: Record<string, PublishedStack>;
}

/**
 * Installs the mock engine with the given stack config and records every registration.
 * Call once per program run; the returned recorder fills as the program registers resources.
 */
export function startMockEngine(config: Record<string, unknown>, options: MockEngineOptions = {}) {
    const flat: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        const full = key.includes(":") ? key : `istio-multicloud:${key}`;
        flat[full] = typeof value === "string" ? value : JSON.stringify(value);
    }
    pulumi.runtime.setAllConfig(
        flat,
        (options.secretKeys ?? []).map((k) => (k.includes(":") ? k : `istio-multicloud:${k}`)),
    );
    publishedStacks.clear();
    for (const [name, stack] of Object.entries(options.publishedStacks ?? {})) publishedStacks.set(name, stack);
    pulumi.runtime.setMocks(
        options.mocks ?? cloudMocks,
        "istio-multicloud",
        options.stack ?? "dev",
        false,
        options.organization ?? "organization",
    );
    const registrations: Registration[] = [];
    const byMockUrn = new Map<string, Registration>();
    const toEngineUrn = (mockUrn: string) => byMockUrn.get(mockUrn)?.engineUrn ?? mockUrn;
    const monitor: any = pulumi.runtime.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) =>
        register(req, (err: any, resp: any) => {
            if (!err) {
                const timeouts = req.getCustomtimeouts();
                const parent = byMockUrn.get(req.getParent());
                const registration: Registration = {
                    type: req.getType(),
                    name: req.getName(),
                    urn: resp.getUrn(),
                    engineUrn: engineUrnOf(pulumi.getStack(), pulumi.getProject(), parent?.engineUrn ?? "", req.getType(), req.getName()),
                    custom: req.getCustom(),
                    remote: req.getRemote(),
                    parent: req.getParent(),
                    provider: req.getProvider(),
                    dependencies: req.getDependenciesList(),
                    references: resourceReferences(req.getObject()?.toJavaScript()),
                    inputs: pulumi.runtime.deserializeProperties(req.getObject()),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    replaceOnChanges: req.getReplaceonchangesList(),
                    ignoreChanges: req.getIgnorechangesList(),
                    protect: req.getProtect(),
                    retainOnDelete: req.getRetainondelete() ?? false,
                    customTimeouts: timeouts
                        ? { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() }
                        : undefined,
                    aliases: engineAliases(req, parent, toEngineUrn),
                };
                registrations.push(registration);
                byMockUrn.set(registration.urn, registration);
            }
            callback(err, resp);
        });
    return new Recorder(registrations);
}

/** Queries over what the program registered. */
export class Recorder {
    constructor(public readonly all: Registration[]) {}

    /** Every registration of a type, optionally filtered by name. */
    ofType(type: string, name?: string | RegExp): Registration[] {
        return this.all.filter(
            (r) => r.type === type && (name === undefined || (typeof name === "string" ? r.name === name : name.test(r.name))),
        );
    }

    /** The one registration of a type and name; fails the test when there is not exactly one. */
    one(type: string, name: string | RegExp): Registration {
        const found = this.ofType(type, name);
        if (found.length !== 1) {
            throw new Error(
                `expected one ${type} named ${name}, found ${found.length}: ${this.all
                    .filter((r) => r.type === type)
                    .map((r) => r.name)
                    .join(", ")}`,
            );
        }
        return found[0];
    }

    byUrn(urn: string): Registration | undefined {
        return this.all.find((r) => r.urn === urn);
    }

    /** The registration a provider reference (`urn::id`) points at. */
    providerOf(r: Registration): Registration | undefined {
        return r.provider ? this.byUrn(r.provider.split("::").slice(0, -1).join("::")) : undefined;
    }

    /** The cluster a Kubernetes object lands in: its Kubernetes provider is named after the cluster. */
    clusterOf(r: Registration): string | undefined {
        const provider = this.providerOf(r);
        return provider?.type === "pulumi:providers:kubernetes" ? provider.name : undefined;
    }

    /**
     * Kubernetes objects in one cluster, of a type (or of types a test accepts), optionally by
     * object name (`metadata.name`, or a Helm release's release name).
     */
    inCluster(type: string | ((type: string) => boolean), cluster: string, name?: string): Registration[] {
        const typeMatches = typeof type === "string" ? (t: string) => t === type : type;
        return this.all.filter(
            (r) =>
                typeMatches(r.type) &&
                this.clusterOf(r) === cluster &&
                (name === undefined || (r.inputs.metadata?.name ?? r.inputs.name) === name),
        );
    }

    /** The one object of a type and name in a cluster; throws saying how many there were. */
    oneIn(type: string | ((type: string) => boolean), cluster: string, name: string): Registration {
        const found = this.inCluster(type, cluster, name);
        if (found.length !== 1) {
            throw new Error(`expected one ${typeof type === "string" ? type : "object"} ${name} in ${cluster}, found ${found.length}`);
        }
        return found[0];
    }

    /** Ancestors of a registration, nearest first. */
    ancestors(r: Registration): Registration[] {
        const out: Registration[] = [];
        let parent = this.byUrn(r.parent);
        while (parent) {
            out.push(parent);
            parent = this.byUrn(parent.parent);
        }
        return out;
    }

    /**
     * True when `a` waits for `b`: a path of dependencies (explicit, through inputs, or through
     * the provider it uses) leads from `a` to `b` or to a descendant of `b`. The engine then
     * creates `b` first and deletes it last.
     */
    dependsOn(a: Registration, b: Registration): boolean {
        const seen = new Set<string>();
        const stack = [a.urn];
        while (stack.length > 0) {
            const urn = stack.pop()!;
            if (seen.has(urn)) continue;
            seen.add(urn);
            const r = this.byUrn(urn);
            if (!r) continue;
            for (const dep of r.dependencies) {
                if (dep === b.urn) return true;
                const depReg = this.byUrn(dep);
                if (depReg && this.ancestors(depReg).some((x) => x.urn === b.urn)) return true;
                stack.push(dep);
            }
            // A resource's own provider is created before it and deleted after it.
            const provider = this.providerOf(r);
            if (provider) {
                if (provider.urn === b.urn) return true;
                stack.push(provider.urn);
            }
        }
        return false;
    }
}

/** Waits until every registration and invoke the program started has been answered. */
export async function settle(): Promise<void> {
    // The SDK's own drain (what it awaits before disconnecting), exported but untyped.
    await (pulumi.runtime as any).waitForRPCs();
}
