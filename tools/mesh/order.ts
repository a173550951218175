/**
 * In which order the stacks that own parts of one mesh come up, preview or are destroyed,
 * worked out from their stack files alone. Pure: no I/O, no Pulumi CLI.
 *
 * Each stack's program does what it can on every `pulumi up`, reading its peers' outputs with
 * StackReference. Four passes then build a mesh spread over several stacks:
 *   A  the root owner and every stack with primaries (a stack with rootCaFrom after that stack);
 *   B  stacks with remotes of another stack's primary: base + istiod, publish the remote secret;
 *   C  stacks with primaries and peers again: attach every published peer, publish `attached`;
 *   D  the remotes' stacks again: gateway and workloads, once their primary lists them attached.
 */

import { topologicalOrder as sortTopologically } from "../graph";

/** Role of a cluster in the mesh. */
export type Role = "primary" | "remote";
/** A pass of `up`. */
export type Pass = "A" | "B" | "C" | "D";
/** What the orchestrator is asked to do. */
export type Operation = "up" | "preview" | "destroy";

/** A cluster a stack creates (an entry of its `clusters`, role defaulted). */
export interface MeshCluster {
    name: string;
    role: Role;
    /** For a remote: its primary, in this stack or among its peers. */
    primary?: string;
    /** Istio network: the stack file's, or the model's default `network-<name>`. */
    network: string;
}

/** A cluster of the mesh that another stack owns (an entry of `peers`). */
export interface MeshPeer {
    name: string;
    /** Fully qualified name of the owning stack: `<org>/<project>/<stack>`. */
    stack: string;
    role: Role;
    network: string;
    /** For a remote: its primary. */
    primary?: string;
}

/** What the order needs of one stack file. */
export interface MeshStackConfig {
    /** The stack file, for messages: `Pulumi.aks-team.yaml`. */
    file: string;
    /** Istio mesh ID (Pulumi.yaml's default applied). */
    meshId?: string;
    clusters: MeshCluster[];
    peers: MeshPeer[];
    /** Fully qualified name of the stack this one takes its root CA from; unset: it owns the root. */
    rootCaFrom?: string;
    /** The stack brings the mesh root itself (`rootCa` secret config), as every such stack must, the same one. */
    bringsRoot?: boolean;
}

/** One stack of `--stacks`, with its config. */
export interface MeshStackInput {
    /** As given in --stacks: `aks-team` or `acme/istio-multicloud/aks-team`. */
    name: string;
    config: MeshStackConfig;
}

/** Every stack of one run, in --stacks order. */
export interface MeshInput {
    /** Pulumi project name (Pulumi.yaml `name`): the middle segment of every stack reference. */
    project: string;
    stacks: MeshStackInput[];
}

interface StepBase {
    /** Short stack name (its file is `Pulumi.<stack>.yaml`). */
    stack: string;
    /** The name to hand to Pulumi: fully qualified when a peer or --stacks says so. */
    pulumiStack: string;
    /** What the step does, for the progress line. */
    why: string;
}
/** Make sure the stack exists: create it (up) or only check (preview). */
export interface InitStep extends StepBase {
    action: "init";
    create: boolean;
}
/** `pulumi up` of a stack in one pass. */
export interface UpStep extends StepBase {
    action: "up";
    pass: Pass;
}
/** `pulumi preview` of a stack against its peers' current outputs. */
export interface PreviewStep extends StepBase {
    action: "preview";
}
/** `pulumi destroy` of a stack. */
export interface DestroyStep extends StepBase {
    action: "destroy";
}
export type Step = InitStep | UpStep | PreviewStep | DestroyStep;

/** A remote of this stack whose primary another stack owns. */
export interface CrossRemote {
    name: string;
    primary: string;
    /** Short name of the primary's stack. */
    primaryStack: string;
}

/** What the order found out about one stack. */
export interface StackFacts {
    stack: string;
    pulumiStack: string;
    file: string;
    primaries: string[];
    /** Remotes whose primary is in this stack: they come up with it in pass A. */
    localRemotes: string[];
    crossRemotes: CrossRemote[];
    peers: string[];
    /** Owns the mesh root CA: has primaries and no rootCaFrom. */
    rootOwner: boolean;
    /** Short name of the stack named in rootCaFrom. */
    rootCaFrom?: string;
}

/** The steps of one run, and the stacks in the order they come up. */
export interface MeshPlan {
    operation: Operation;
    stacks: StackFacts[];
    steps: Step[];
}

/** The stacks cannot be ordered: every problem found, each naming file, key, value and what is valid. */
export class MeshOrderError extends Error {
    constructor(public readonly problems: string[]) {
        super(
            `The stacks of the mesh do not fit together (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "MeshOrderError";
    }
}

const show = (v: unknown) => JSON.stringify(v);
const list = (names: string[]) => names.join(", ") || "none";

/** `<org>/<project>/<stack>` split up; undefined when the name has another form. */
export function parseStackName(name: string): { org: string; project: string; stack: string } | undefined {
    const m = /^([^/\s]+)\/([^/\s]+)\/([^/\s]+)$/.exec(name);
    return m ? { org: m[1], project: m[2], stack: m[3] } : undefined;
}

/** The short name of a stack: the last segment. */
export const shortName = (name: string) => name.split("/").pop()!;

interface Entry {
    short: string;
    index: number;
    given: string;
    config: MeshStackConfig;
}

/** An edge of the dependency graph: `from` comes up after `to` and is destroyed before it. */
interface Edge {
    to: string;
    /** Where the config says so, for messages. */
    because: string;
}

/**
 * The steps that bring up (`up`), preview or destroy the stacks of one mesh, after checking
 * that their stack files fit together. Throws MeshOrderError listing every problem.
 */
export function planMesh(input: MeshInput, operation: Operation): MeshPlan {
    const graph = new StackGraph(input);
    graph.checkOneMeshId();
    graph.checkClusterNames();
    graph.checkPeersAgainstOwners();
    graph.resolveRootCaFrom();
    graph.namePulumiStacks();
    graph.linkCrossRemotes();
    graph.checkRootOwner();
    graph.linkRootCaFrom();
    graph.problems.push(...cycles(graph.all, graph.edges));
    if (graph.problems.length > 0) throw new MeshOrderError(graph.problems);
    return graph.plan(operation);
}

/** The stacks of one run and what their stack files say of each other, checked step by step. */
class StackGraph {
    readonly problems: string[] = [];
    private readonly project: string;
    /** The stacks of the run, by short name. */
    private readonly entries = new Map<string, Entry>();
    readonly all: Entry[];
    private readonly givenList: string;
    /** References to other stacks (peers[i].stack, rootCaFrom), by short name of the stack referenced. */
    private readonly references = new Map<string, { qualified: string; where: string }[]>();
    private readonly rootCaFrom = new Map<string, Entry>();
    /** The name Pulumi gets for each stack: fully qualified when a peer or --stacks says so. */
    private readonly pulumiName = new Map<string, string>();
    readonly edges: Map<string, Edge[]>;
    private readonly crossRemotes: Map<string, CrossRemote[]>;

    constructor(input: MeshInput) {
        this.project = input.project;
        input.stacks.forEach((s, index) => {
            const short = shortName(s.name);
            if (s.name.includes("/")) {
                const parsed = parseStackName(s.name);
                if (!parsed) {
                    this.problems.push(
                        `--stacks: ${show(s.name)} is not a stack name (a short name such as ${short}, or ${this.example(short)})`,
                    );
                } else if (parsed.project !== this.project) {
                    this.problems.push(
                        `--stacks: ${show(s.name)} is a stack of project ${show(parsed.project)}; every stack of the mesh is a stack of ${this.project} (${this.example(short)})`,
                    );
                }
            }
            if (this.entries.has(short)) {
                this.problems.push(`--stacks: ${show(s.name)} is given twice (both read Pulumi.${short}.yaml)`);
                return;
            }
            this.entries.set(short, { short, index, given: s.name, config: s.config });
        });
        this.givenList = `--stacks (${input.stacks.map((s) => s.name).join(", ")})`;
        this.all = [...this.entries.values()];
        this.edges = new Map(this.all.map((e) => [e.short, []]));
        this.crossRemotes = new Map(this.all.map((e) => [e.short, []]));
    }

    private example(short: string): string {
        return `acme/${this.project}/${short}`;
    }

    /** One mesh: one meshId. */
    checkOneMeshId() {
        const meshIds = new Set(this.all.map((e) => e.config.meshId));
        if (meshIds.size > 1) {
            this.problems.push(
                `meshId: the stacks set different meshIds (${this.all.map((e) => `${e.config.file}: ${show(e.config.meshId)}`).join(", ")}); ` +
                    `the clusters of one mesh share one meshId: set the same value in every stack file`,
            );
        }
    }

    /** Cluster names are Istio cluster IDs: unique across the mesh. */
    checkClusterNames() {
        const owners = new Map<string, { entry: Entry; index: number }>();
        for (const e of this.all) {
            if (e.config.clusters.length === 0) {
                this.problems.push(
                    `${e.config.file}: clusters: needs at least one cluster (each stack of the mesh owns some of its clusters)`,
                );
            }
            e.config.clusters.forEach((c, i) => {
                const owner = owners.get(c.name);
                if (owner && owner.entry !== e) {
                    this.problems.push(
                        `${e.config.file}: clusters[${i}].name: ${show(c.name)} is also clusters[${owner.index}] of ${owner.entry.config.file}; ` +
                            `cluster names are Istio cluster IDs and must be unique across the mesh (a cluster another stack owns goes in peers)`,
                    );
                } else if (!owner) {
                    owners.set(c.name, { entry: e, index: i });
                }
            });
        }
    }

    /** Checks a stack reference; returns the entry it names when it is valid. */
    private resolve(e: Entry, key: string, value: string): Entry | undefined {
        const where = `${e.config.file}: ${key}`;
        const project = this.project;
        const parsed = parseStackName(value);
        if (!parsed) {
            this.problems.push(
                `${where}: ${show(value)} is not a fully qualified stack name (<org>/${project}/<stack>, such as ${this.example(shortName(value) || e.short)})`,
            );
            return undefined;
        }
        if (parsed.project !== project) {
            this.problems.push(
                `${where}: ${show(value)} is a stack of project ${show(parsed.project)}; the stacks of the mesh are stacks of ${project} (${parsed.org}/${project}/${parsed.stack})`,
            );
            return undefined;
        }
        if (parsed.stack === e.short) {
            this.problems.push(
                key === "rootCaFrom"
                    ? `${where}: ${show(value)} is this stack itself; leave rootCaFrom unset for the stack that owns the mesh root, or name the stack that owns it`
                    : `${where}: ${show(value)} is this stack itself; the clusters a stack owns go in clusters, peers are clusters of other stacks`,
            );
            return undefined;
        }
        const target = this.entries.get(parsed.stack);
        if (!target) {
            this.problems.push(
                `${where}: ${show(value)} is not among ${this.givenList}; add ${parsed.stack} to --stacks (every stack of the mesh takes part in every run)`,
            );
            return undefined;
        }
        this.references.set(parsed.stack, [...(this.references.get(parsed.stack) ?? []), { qualified: value, where }]);
        return target;
    }

    /** Peers agree with what their owners say of the cluster. */
    checkPeersAgainstOwners() {
        for (const e of this.all) {
            const ownNames = e.config.clusters.map((c) => c.name);
            e.config.peers.forEach((p, i) => {
                const at = `${e.config.file}: peers[${i}]`;
                const own = ownNames.indexOf(p.name);
                if (own >= 0) {
                    this.problems.push(
                        `${at}.name: ${show(p.name)} is clusters[${own}] of this stack; a peer is a cluster another stack owns`,
                    );
                }
                const first = e.config.peers.findIndex((x) => x.name === p.name);
                if (first !== i) {
                    this.problems.push(`${at}.name: ${show(p.name)} is already peers[${first}]; list each peer once`);
                }
                const owner = this.resolve(e, `peers[${i}].stack`, p.stack);
                if (!owner || own >= 0) return;
                const j = owner.config.clusters.findIndex((c) => c.name === p.name);
                if (j < 0) {
                    this.problems.push(
                        `${at}.name: ${show(p.name)} is not a cluster of ${owner.short} (${owner.config.file} clusters: ${list(owner.config.clusters.map((c) => c.name))})`,
                    );
                    return;
                }
                const c = owner.config.clusters[j];
                const theirs = `${owner.config.file} clusters[${j}]`;
                if (p.role !== c.role) {
                    this.problems.push(`${at}.role: ${show(p.role)}, but ${theirs} has role ${c.role} (set role: ${c.role})`);
                } else if (c.role === "remote" && p.primary !== c.primary) {
                    this.problems.push(
                        p.primary === undefined
                            ? `${at}.primary: is missing; ${theirs} is a remote of ${show(c.primary)} (set primary: ${c.primary})`
                            : `${at}.primary: ${show(p.primary)}, but ${theirs} is a remote of ${show(c.primary)} (set primary: ${c.primary})`,
                    );
                } else if (c.role === "primary" && p.primary !== undefined) {
                    this.problems.push(
                        `${at}.primary: ${show(p.primary)} is set, but ${theirs} has role primary; only a remote names a primary (remove primary)`,
                    );
                }
                if (p.network !== c.network) {
                    this.problems.push(
                        `${at}.network: ${show(p.network)}, but ${theirs} has network ${show(c.network)} (set network: ${c.network})`,
                    );
                }
            });
        }
    }

    /** The stack each rootCaFrom names, where it is valid. */
    resolveRootCaFrom() {
        for (const e of this.all) {
            if (e.config.rootCaFrom === undefined) continue;
            const target = this.resolve(e, "rootCaFrom", e.config.rootCaFrom);
            if (target) this.rootCaFrom.set(e.short, target);
        }
    }

    /** Every reference to a stack names it the same way: that is the name Pulumi gets. */
    namePulumiStacks() {
        for (const e of this.all) {
            const refs = this.references.get(e.short) ?? [];
            const names = [...new Set([...(e.given.includes("/") ? [e.given] : []), ...refs.map((r) => r.qualified)])];
            if (names.length > 1) {
                const sources = [
                    ...(e.given.includes("/") ? [`--stacks ${show(e.given)}`] : []),
                    ...refs.map((r) => `${r.where} ${show(r.qualified)}`),
                ];
                this.problems.push(
                    `stack ${e.short} is named in different ways (${sources.join(", ")}); every reference must name the same stack, org included`,
                );
            }
            this.pulumiName.set(e.short, names[0] ?? e.given);
        }
    }

    /** For suggestions: a stack's qualified name, guessing the org the other references use. */
    private qualifiedName(short: string): string {
        const someOrg = [...this.references.values()].flat()[0]?.qualified.split("/")[0] ?? "<org>";
        const name = this.pulumiName.get(short)!;
        return name.includes("/") ? name : `${someOrg}/${this.project}/${short}`;
    }

    /** Remotes of another stack's primary: their stack depends on the primary's stack. */
    linkCrossRemotes() {
        for (const e of this.all) {
            e.config.clusters.forEach((c, j) => {
                if (c.role !== "remote" || c.primary === undefined) return;
                if (e.config.clusters.some((x) => x.name === c.primary)) return; // a local remote: the program checks it
                const k = e.config.peers.findIndex((p) => p.name === c.primary);
                const at = `${e.config.file}: clusters[${j}].primary`;
                if (k < 0) {
                    const primaries = [
                        ...e.config.clusters.filter((x) => x.role === "primary"),
                        ...e.config.peers.filter((x) => x.role === "primary"),
                    ];
                    this.problems.push(
                        `${at}: ${show(c.primary)} is neither a cluster of this stack nor among its peers ` +
                            `(primaries: ${list(primaries.map((x) => x.name))}); a remote's primary in another stack must be listed in peers`,
                    );
                    return;
                }
                const peer = e.config.peers[k];
                if (peer.role !== "primary") {
                    this.problems.push(`${at}: ${show(c.primary)} is peers[${k}], a remote; a remote's primary must have role primary`);
                    return;
                }
                const primaryStack = parseStackName(peer.stack)?.stack;
                const owner = primaryStack === undefined ? undefined : this.entries.get(primaryStack);
                // A peer its stack does not own as a primary is reported with the peer.
                if (!owner || owner === e || !owner.config.clusters.some((x) => x.name === c.primary && x.role === "primary")) return;
                this.crossRemotes.get(e.short)!.push({ name: c.name, primary: c.primary, primaryStack: owner.short });
                this.edges.get(e.short)!.push({ to: owner.short, because: `${at} ${show(c.primary)} is in ${owner.short}` });
                // The primary's stack must know the remote, or it never attaches it and pass D waits forever.
                if (!owner.config.peers.some((p) => p.name === c.name)) {
                    const network = `, network: ${c.network}`;
                    this.problems.push(
                        `${owner.config.file}: peers: has no ${show(c.name)}, a remote of its primary ${show(c.primary)} (${e.config.file} clusters[${j}]); ` +
                            `add { name: ${c.name}, stack: ${this.qualifiedName(e.short)}, role: remote, primary: ${c.primary}${network} } so that ${owner.short} attaches it`,
                    );
                }
            });
        }
    }

    /** Exactly one root owner among the stacks with primaries; the others name it in rootCaFrom. */
    checkRootOwner() {
        const withPrimaries = this.all.filter(hasPrimaries);
        // Stacks that all bring the same user-supplied root need no owner; one that generates a
        // root beside them would make a second one.
        const bringers = withPrimaries.filter((e) => e.config.bringsRoot);
        const rootOwners = withPrimaries.filter((e) => e.config.rootCaFrom === undefined && !e.config.bringsRoot);
        if (bringers.length > 0) {
            if (rootOwners.length > 0) {
                this.problems.push(
                    `rootCa: ${bringers.map((e) => e.config.file).join(", ")} ${bringers.length === 1 ? "brings" : "bring"} the mesh root but ${rootOwners.map((e) => e.config.file).join(", ")} would generate another: ` +
                        `give every stack with primaries the same rootCa, or set rootCaFrom`,
                );
            }
        } else if (withPrimaries.length > 0 && rootOwners.length === 0) {
            this.problems.push(
                `rootCaFrom: no stack owns the mesh root: every stack with primaries sets rootCaFrom ` +
                    `(${withPrimaries.map((e) => `${e.config.file}: ${show(e.config.rootCaFrom)}`).join(", ")}); remove rootCaFrom from the one stack that should own it`,
            );
        } else if (rootOwners.length > 1) {
            const [keep, ...others] = rootOwners;
            this.problems.push(
                `rootCaFrom: ${rootOwners.map((e) => e.config.file).join(", ")} each own a mesh root (no rootCaFrom); exactly one stack with primaries owns it: ` +
                    `set rootCaFrom: ${this.qualifiedName(keep.short)} in ${others.map((e) => e.config.file).join(", ")} (or name another root owner)`,
            );
        } else if (rootOwners.length === 1) {
            this.checkRootCaFromNames(rootOwners[0]);
        }
    }

    /** With one root owner: every rootCaFrom names it, and it knows every primary it issues to. */
    private checkRootCaFromNames(root: Entry) {
        for (const e of this.all) {
            const target = this.rootCaFrom.get(e.short);
            if (target === root) {
                // The root owner issues intermediates only to the primaries it knows from its peers.
                e.config.clusters.forEach((c, j) => {
                    if (c.role !== "primary" || root.config.peers.some((p) => p.name === c.name)) return;
                    const network = `, network: ${c.network}`;
                    this.problems.push(
                        `${root.config.file}: peers: has no ${show(c.name)}, a primary of ${e.short} (${e.config.file} clusters[${j}]), which takes its root CA from ${root.short} (rootCaFrom); ` +
                            `add { name: ${c.name}, stack: ${this.qualifiedName(e.short)}, role: primary${network} } so that ${root.short} issues its intermediate CA`,
                    );
                });
            }
            if (!target || target === root) continue;
            const why = hasPrimaries(target) ? `it takes its own from rootCaFrom ${show(target.config.rootCaFrom)}` : `it has no primaries`;
            this.problems.push(
                `${e.config.file}: rootCaFrom: ${show(e.config.rootCaFrom)} does not own the mesh root (${why}); name the root owner: ${this.qualifiedName(root.short)}`,
            );
        }
    }

    /** A stack that takes its root from another comes up after it. */
    linkRootCaFrom() {
        for (const [from, target] of this.rootCaFrom) {
            this.edges.get(from)!.push({
                to: target.short,
                because: `${this.entries.get(from)!.config.file} rootCaFrom ${show(this.entries.get(from)!.config.rootCaFrom)}`,
            });
        }
    }

    /** The steps of `operation` over the checked graph. */
    plan(operation: Operation): MeshPlan {
        const all = this.all;
        // Stacks in the order they come up: the stacks they depend on first, then --stacks order.
        const upOrder = topologicalOrder(all, (s) => this.edges.get(s)!.map((x) => x.to));
        const dependents = new Map<string, string[]>(all.map((e) => [e.short, []]));
        for (const [from, out] of this.edges) for (const x of out) dependents.get(x.to)!.push(from);
        const destroyOrder = topologicalOrder(all, (s) => dependents.get(s)!);

        const facts = new Map<string, StackFacts>(
            all.map((e) => {
                const primaries = e.config.clusters.filter((c) => c.role === "primary").map((c) => c.name);
                return [
                    e.short,
                    {
                        stack: e.short,
                        pulumiStack: this.pulumiName.get(e.short)!,
                        file: e.config.file,
                        primaries,
                        localRemotes: e.config.clusters
                            .filter((c) => c.role === "remote" && primaries.includes(c.primary ?? ""))
                            .map((c) => c.name),
                        crossRemotes: this.crossRemotes.get(e.short)!,
                        peers: e.config.peers.map((p) => p.name),
                        rootOwner: primaries.length > 0 && e.config.rootCaFrom === undefined,
                        rootCaFrom: this.rootCaFrom.get(e.short)?.short,
                    },
                ];
            }),
        );
        const ordered = (order: string[]) => order.map((s) => facts.get(s)!);
        return { operation, stacks: ordered(upOrder), steps: stepsOf(operation, ordered(upOrder), ordered(destroyOrder), dependents) };
    }
}

const hasPrimaries = (e: Entry) => e.config.clusters.some((c) => c.role === "primary");

/** The steps of one operation: init then the passes of up, a preview of each, or destroys. */
function stepsOf(operation: Operation, up: StackFacts[], destroy: StackFacts[], dependents: Map<string, string[]>): Step[] {
    const base = (f: StackFacts) => ({ stack: f.stack, pulumiStack: f.pulumiStack });
    const steps: Step[] = [];
    if (operation === "destroy") {
        for (const f of destroy) steps.push({ action: "destroy", ...base(f), why: destroyReason(f, dependents.get(f.stack)!) });
        return steps;
    }
    const create = operation === "up";
    for (const f of up) {
        steps.push({
            action: "init",
            create,
            ...base(f),
            why: create
                ? "created if missing (empty): a StackReference to a stack never created fails the program reading it"
                : `must exist already: preview creates no stack (npm run mesh -- up creates it, or pulumi stack init ${f.pulumiStack})`,
        });
    }
    const passes = passesOf(up);
    if (operation === "up") {
        for (const pass of ["A", "B", "C", "D"] as const) {
            for (const { facts: f, why } of passes[pass]) steps.push({ action: "up", pass, ...base(f), why });
        }
        return steps;
    }
    for (const f of up) {
        const takesPart = (["A", "B", "C", "D"] as const).filter((p) => passes[p].some((x) => x.facts === f));
        steps.push({
            action: "preview",
            ...base(f),
            why: `against its peers' current outputs (up runs it in pass${takesPart.length === 1 ? "" : "es"} ${takesPart.join(", ")})`,
        });
    }
    return steps;
}

/** The stacks of each pass of `up`, in up order, with what each does there. */
function passesOf(stacks: StackFacts[]): Record<Pass, { facts: StackFacts; why: string }[]> {
    const remotesOf = (f: StackFacts) => f.crossRemotes.map((r) => `${r.name} (primary ${r.primary} in ${r.primaryStack})`).join(", ");
    const a = stacks
        .filter((f) => f.primaries.length > 0)
        .map((f) => {
            const ca = f.rootOwner
                ? `owns the mesh root CA; primaries ${list(f.primaries)} get their intermediate CAs from it`
                : `primaries ${list(f.primaries)} take their intermediate CAs from the root in ${f.rootCaFrom} (rootCaFrom)`;
            const local = f.localRemotes.length > 0 ? `, serve their remotes ${list(f.localRemotes)}` : "";
            return { facts: f, why: `${ca}${local}, publish their east-west addresses and remote secrets` };
        });
    const b = stacks
        .filter((f) => f.crossRemotes.length > 0)
        .map((f) => ({ facts: f, why: `remotes ${remotesOf(f)} install base+istiod and publish their remote secrets` }));
    const c = stacks
        .filter((f) => f.primaries.length > 0 && f.peers.length > 0)
        .map((f) => ({
            facts: f,
            why: `primaries ${list(f.primaries)} attach the published peers ${list(f.peers)} (hold their remote secrets) and publish attached`,
        }));
    const d = stacks
        .filter((f) => f.crossRemotes.length > 0)
        .map((f) => ({
            facts: f,
            why: `remotes ${remotesOf(f)} install their gateway and workloads once their primary lists them as attached`,
        }));
    return { A: a, B: b, C: c, D: d };
}

function destroyReason(f: StackFacts, dependents: string[]): string {
    const reasons: string[] = [];
    if (f.crossRemotes.length > 0) {
        const primaryStacks = [...new Set(f.crossRemotes.map((r) => r.primaryStack))];
        reasons.push(
            `remotes ${list(f.crossRemotes.map((r) => r.name))} go before their primaries' stack${primaryStacks.length === 1 ? "" : "s"} ${list(primaryStacks)}`,
        );
    }
    if (f.rootCaFrom !== undefined) reasons.push(`takes its root CA from ${f.rootCaFrom}: goes before it`);
    if (f.rootOwner) reasons.push("owns the mesh root CA: goes last");
    else if (dependents.length > 0) reasons.push(`goes after ${list(dependents)}, which depend on it`);
    return reasons.join("; ") || "depends on no other stack";
}

/** Stacks after every stack `before(stack)` names, otherwise in --stacks order (cycles are reported before). */
function topologicalOrder(entries: Entry[], before: (stack: string) => string[]): string[] {
    return sortTopologically(
        entries,
        (e) => e.short,
        (e) => before(e.short),
    ).map((e) => e.short);
}

/** One problem per cycle of the dependency graph, naming the config that makes each edge. */
function cycles(entries: Entry[], edges: Map<string, Edge[]>): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    const done = new Set<string>();
    const path: { stack: string; edge?: Edge }[] = [];
    const visit = (stack: string) => {
        path.push({ stack });
        for (const edge of edges.get(stack) ?? []) {
            const at = path.findIndex((p) => p.stack === edge.to);
            path[path.length - 1].edge = edge;
            if (at >= 0) {
                const loop = path.slice(at);
                const key = loop
                    .map((p) => p.stack)
                    .sort()
                    .join(",");
                if (!seen.has(key)) {
                    seen.add(key);
                    problems.push(
                        `the stacks depend on each other in a cycle, ${[...loop.map((p) => p.stack), edge.to].join(" → ")} ` +
                            `(${loop.map((p) => p.edge!.because).join("; ")}): a stack comes up after the stacks of its remotes' primaries and of its rootCaFrom, ` +
                            `and is destroyed before them; break the cycle, e.g. by moving one of these remotes into its primary's stack`,
                    );
                }
            } else if (!done.has(edge.to)) {
                visit(edge.to);
            }
        }
        path.pop();
        done.add(stack);
    };
    for (const e of entries) if (!done.has(e.short)) visit(e.short);
    return problems;
}
