import { MeshCluster, MeshInput, MeshOrderError, MeshPlan, planMesh, Step } from "../../tools/mesh/order";

// ---- Fixtures: stacks of one mesh, written the way their stack files say it ---------------

const project = "istio-multicloud";
const fq = (stack: string) => `acme/${project}/${stack}`;

const primary = (name: string, network: string): MeshCluster => ({ name, role: "primary", network });
const remote = (name: string, of: string, network: string): MeshCluster => ({ name, role: "remote", primary: of, network });

/** One stack file: its clusters, its peers as `cluster@stack`, and rootCaFrom as a short name. */
interface StackDef {
    clusters: MeshCluster[];
    peers?: string[];
    rootCaFrom?: string;
}

/** The order's input for stack files that agree: each peer copied from its owner's cluster. */
function meshInput(defs: Record<string, StackDef>, stacks = Object.keys(defs)): MeshInput {
    return {
        project,
        stacks: stacks.map((name) => {
            const def = defs[name];
            return {
                name,
                config: {
                    file: `Pulumi.${name}.yaml`,
                    meshId: "mesh1",
                    clusters: def.clusters.map((c) => ({ ...c })),
                    peers: (def.peers ?? []).map((ref) => {
                        const [cluster, owner] = ref.split("@");
                        const c = defs[owner].clusters.find((x) => x.name === cluster)!;
                        return { name: c.name, stack: fq(owner), role: c.role, network: c.network!, primary: c.primary };
                    }),
                    rootCaFrom: def.rootCaFrom === undefined ? undefined : fq(def.rootCaFrom),
                },
            };
        }),
    };
}

/** Steps as `init eks-team`, `A eks-team`, `preview aks-team`, `destroy aks-team`. */
const summary = (plan: MeshPlan) => plan.steps.map((s) => `${s.action === "up" ? s.pass : s.action} ${s.stack}`);
const stepOf = (plan: MeshPlan, label: string): Step =>
    plan.steps.find((s) => `${s.action === "up" ? s.pass : s.action} ${s.stack}` === label)!;

/** The problems planMesh reports; fails the test when it reports none. */
function problemsOf(input: MeshInput, operation: "up" | "destroy" = "up"): string[] {
    try {
        planMesh(input, operation);
    } catch (err) {
        if (err instanceof MeshOrderError) return err.problems;
        throw err;
    }
    throw new Error("planMesh accepted stacks that do not fit together");
}

/** (2) An EKS primary in one stack, an AKS remote of it in another. */
const twoStacks: Record<string, StackDef> = {
    "eks-team": { clusters: [primary("eks-west", "network1")], peers: ["aks-east@aks-team"] },
    "aks-team": { clusters: [remote("aks-east", "eks-west", "network2")], peers: ["eks-west@eks-team"] },
};

/** (3) Two primaries in two stacks (multi-primary; eks-team owns the root) and a remote of the first. */
const threeStacks: Record<string, StackDef> = {
    "eks-team": { clusters: [primary("eks-west", "network1")], peers: ["gke-central@gke-team", "aks-east@aks-team"] },
    "gke-team": {
        clusters: [primary("gke-central", "network3")],
        peers: ["eks-west@eks-team", "aks-east@aks-team"],
        rootCaFrom: "eks-team",
    },
    "aks-team": { clusters: [remote("aks-east", "eks-west", "network2")], peers: ["eks-west@eks-team"] },
};

/**
 * (5) eks-team owns the root; gke-team has a primary AND a remote of eks-west; onprem-team a
 * primary with a remote of its own; aks-team a remote of eks-west; edge-team a remote of gke-central.
 */
const fiveStacks: Record<string, StackDef> = {
    "eks-team": {
        clusters: [primary("eks-west", "network1")],
        peers: ["gke-central@gke-team", "gke-edge@gke-team", "aks-east@aks-team", "onprem-1@onprem-team"],
    },
    "gke-team": {
        clusters: [primary("gke-central", "network3"), remote("gke-edge", "eks-west", "network4")],
        peers: ["eks-west@eks-team", "edge-1@edge-team"],
        rootCaFrom: "eks-team",
    },
    "aks-team": { clusters: [remote("aks-east", "eks-west", "network2")], peers: ["eks-west@eks-team"] },
    "onprem-team": {
        clusters: [primary("onprem-1", "network5"), remote("onprem-2", "onprem-1", "network6")],
        peers: ["eks-west@eks-team"],
        rootCaFrom: "eks-team",
    },
    "edge-team": { clusters: [remote("edge-1", "gke-central", "network7")], peers: ["gke-central@gke-team"] },
};

// ---- Order -----------------------------------------------------------------------------------

describe("the order of a primary's stack and a remote's stack (2 stacks)", () => {
    const plan = planMesh(meshInput(twoStacks, ["aks-team", "eks-team"]), "up");

    it("creates both stacks first, then runs the four passes, the primary's stack first whatever the order of --stacks", () => {
        expect(summary(plan)).toEqual(["init eks-team", "init aks-team", "A eks-team", "B aks-team", "C eks-team", "D aks-team"]);
    });

    it("creates missing stacks on up, since a StackReference to a stack never created fails the program", () => {
        const inits = plan.steps.filter((s) => s.action === "init");
        expect(inits.every((s) => s.action === "init" && s.create)).toBe(true);
        expect(inits[0].why).toMatch(/StackReference to a stack never created/);
    });

    it("hands Pulumi the fully qualified names the peers use", () => {
        expect(plan.steps.map((s) => s.pulumiStack)).toEqual([
            fq("eks-team"),
            fq("aks-team"),
            fq("eks-team"),
            fq("aks-team"),
            fq("eks-team"),
            fq("aks-team"),
        ]);
    });

    it("says in each step what the stack does in its pass", () => {
        expect(stepOf(plan, "A eks-team").why).toBe(
            "owns the mesh root CA; primaries eks-west get their intermediate CAs from it, publish their east-west addresses and remote secrets",
        );
        expect(stepOf(plan, "B aks-team").why).toBe(
            "remotes aks-east (primary eks-west in eks-team) install base+istiod and publish their remote secrets",
        );
        expect(stepOf(plan, "C eks-team").why).toBe(
            "primaries eks-west attach the published peers aks-east (hold their remote secrets) and publish attached",
        );
        expect(stepOf(plan, "D aks-team").why).toBe(
            "remotes aks-east (primary eks-west in eks-team) install their gateway and workloads once their primary lists them as attached",
        );
    });

    it("previews each stack once, in up order, and creates no stack", () => {
        const preview = planMesh(meshInput(twoStacks, ["aks-team", "eks-team"]), "preview");
        expect(summary(preview)).toEqual(["init eks-team", "init aks-team", "preview eks-team", "preview aks-team"]);
        expect(preview.steps.filter((s) => s.action === "init").every((s) => s.action === "init" && !s.create)).toBe(true);
        expect(stepOf(preview, "preview aks-team").why).toBe("against its peers' current outputs (up runs it in passes B, D)");
    });

    it("destroys the remote's stack before its primary's stack", () => {
        expect(summary(planMesh(meshInput(twoStacks), "destroy"))).toEqual(["destroy aks-team", "destroy eks-team"]);
    });
});

describe("the order of two primary stacks and a remote stack (3 stacks, multi-primary)", () => {
    const plan = planMesh(meshInput(threeStacks, ["gke-team", "aks-team", "eks-team"]), "up");

    it("brings the root owner up before the stack that takes its CA from it (rootCaFrom)", () => {
        expect(summary(plan)).toEqual([
            "init eks-team",
            "init gke-team",
            "init aks-team",
            "A eks-team",
            "A gke-team",
            "B aks-team",
            "C eks-team",
            "C gke-team",
            "D aks-team",
        ]);
        expect(stepOf(plan, "A gke-team").why).toBe(
            "primaries gke-central take their intermediate CAs from the root in eks-team (rootCaFrom), publish their east-west addresses and remote secrets",
        );
    });

    it("lets each primary attach the other's published secret in pass C", () => {
        expect(stepOf(plan, "C eks-team").why).toMatch(/attach the published peers gke-central, aks-east/);
        expect(stepOf(plan, "C gke-team").why).toMatch(/attach the published peers eks-west, aks-east/);
    });

    it("destroys the remote's stack and the rootCaFrom stack before the root owner, which goes last", () => {
        const destroy = planMesh(meshInput(threeStacks, ["gke-team", "aks-team", "eks-team"]), "destroy");
        expect(summary(destroy)).toEqual(["destroy gke-team", "destroy aks-team", "destroy eks-team"]);
        expect(stepOf(destroy, "destroy eks-team").why).toBe("owns the mesh root CA: goes last");
        expect(stepOf(destroy, "destroy gke-team").why).toBe("takes its root CA from eks-team: goes before it");
        expect(stepOf(destroy, "destroy aks-team").why).toBe("remotes aks-east go before their primaries' stack eks-team");
    });
});

describe("the order of five stacks, one with both a primary and a remote of another stack's primary", () => {
    const stacks = ["edge-team", "aks-team", "gke-team", "onprem-team", "eks-team"];
    const plan = planMesh(meshInput(fiveStacks, stacks), "up");

    it("runs every pass in up order, each stack only in the passes it has something to do in", () => {
        expect(summary(plan)).toEqual([
            "init eks-team",
            "init aks-team",
            "init gke-team",
            "init edge-team",
            "init onprem-team",
            "A eks-team",
            "A gke-team",
            "A onprem-team",
            "B aks-team",
            "B gke-team",
            "B edge-team",
            "C eks-team",
            "C gke-team",
            "C onprem-team",
            "D aks-team",
            "D gke-team",
            "D edge-team",
        ]);
    });

    it("takes the stack with both a primary and a remote through every pass", () => {
        const gke = plan.steps.filter((s) => s.stack === "gke-team" && s.action === "up").map((s) => (s.action === "up" ? s.pass : ""));
        expect(gke).toEqual(["A", "B", "C", "D"]);
    });

    it("keeps a remote whose primary is in the same stack out of passes B and D", () => {
        expect(stepOf(plan, "A onprem-team").why).toMatch(/serve their remotes onprem-2/);
        expect(plan.steps.some((s) => s.stack === "onprem-team" && s.action === "up" && (s.pass === "B" || s.pass === "D"))).toBe(false);
    });

    it("brings a remote's stack up after its primary's stack even when that stack takes part in pass B itself", () => {
        const order = summary(plan);
        expect(order.indexOf("B edge-team")).toBeGreaterThan(order.indexOf("B gke-team"));
        expect(order.indexOf("init edge-team")).toBeGreaterThan(order.indexOf("init gke-team"));
    });

    it("destroys remotes' stacks before their primaries' stacks and the root owner last", () => {
        const destroy = planMesh(meshInput(fiveStacks, stacks), "destroy");
        expect(summary(destroy)).toEqual([
            "destroy edge-team",
            "destroy aks-team",
            "destroy gke-team",
            "destroy onprem-team",
            "destroy eks-team",
        ]);
        expect(stepOf(destroy, "destroy gke-team").why).toBe(
            "remotes gke-edge go before their primaries' stack eks-team; takes its root CA from eks-team: goes before it; goes after edge-team, which depend on it",
        );
    });
});

describe("passes with nothing to do", () => {
    it("makes a single-stack mesh one up", () => {
        const single = meshInput({
            dev: {
                clusters: [primary("eks-west", "network1"), remote("aks-east", "eks-west", "network2"), primary("gke-central", "network3")],
            },
        });
        expect(summary(planMesh(single, "up"))).toEqual(["init dev", "A dev"]);
        expect(summary(planMesh(single, "destroy"))).toEqual(["destroy dev"]);
    });

    it("skips passes B and D when no stack has a remote of another stack's primary", () => {
        const twoPrimaries = meshInput({
            "eks-team": { clusters: [primary("eks-west", "network1")], peers: ["gke-central@gke-team"] },
            "gke-team": { clusters: [primary("gke-central", "network3")], peers: ["eks-west@eks-team"], rootCaFrom: "eks-team" },
        });
        expect(summary(planMesh(twoPrimaries, "up"))).toEqual([
            "init eks-team",
            "init gke-team",
            "A eks-team",
            "A gke-team",
            "C eks-team",
            "C gke-team",
        ]);
    });

    it("uses the short name for Pulumi when no peer and no --stacks entry qualifies it", () => {
        const single = meshInput({ dev: { clusters: [primary("eks-west", "network1")] } });
        expect(planMesh(single, "up").steps.map((s) => s.pulumiStack)).toEqual(["dev", "dev"]);
    });
});

// ---- Validation ------------------------------------------------------------------------------

describe("stacks that do not fit together", () => {
    it("names the file, key and value of a peer whose stack is not among --stacks, and the stacks that are", () => {
        const input = meshInput(twoStacks);
        input.stacks[1].config.peers[0].stack = fq("gke-team");
        expect(problemsOf(input)).toContain(
            `Pulumi.aks-team.yaml: peers[0].stack: "acme/istio-multicloud/gke-team" is not among --stacks (eks-team, aks-team); add gke-team to --stacks (every stack of the mesh takes part in every run)`,
        );
    });

    it("wants fully qualified stack names of this project in peers and rootCaFrom", () => {
        const input = meshInput(threeStacks);
        input.stacks[2].config.peers[0].stack = "eks-team";
        input.stacks[1].config.rootCaFrom = "acme/other-project/eks-team";
        expect(problemsOf(input)).toEqual(
            expect.arrayContaining([
                `Pulumi.aks-team.yaml: peers[0].stack: "eks-team" is not a fully qualified stack name (<org>/istio-multicloud/<stack>, such as acme/istio-multicloud/eks-team)`,
                `Pulumi.gke-team.yaml: rootCaFrom: "acme/other-project/eks-team" is a stack of project "other-project"; the stacks of the mesh are stacks of istio-multicloud (acme/istio-multicloud/eks-team)`,
            ]),
        );
    });

    it("refuses a peer or a rootCaFrom naming the stack itself", () => {
        const input = meshInput(threeStacks);
        input.stacks[0].config.peers[0].stack = fq("eks-team");
        input.stacks[1].config.rootCaFrom = fq("gke-team");
        expect(problemsOf(input)).toEqual(
            expect.arrayContaining([
                `Pulumi.eks-team.yaml: peers[0].stack: "acme/istio-multicloud/eks-team" is this stack itself; the clusters a stack owns go in clusters, peers are clusters of other stacks`,
                `Pulumi.gke-team.yaml: rootCaFrom: "acme/istio-multicloud/gke-team" is this stack itself; leave rootCaFrom unset for the stack that owns the mesh root, or name the stack that owns it`,
            ]),
        );
    });

    it("refuses a peer that is a cluster of the stack itself, or is listed twice", () => {
        const input = meshInput(twoStacks);
        input.stacks[0].config.peers.push({ name: "eks-west", stack: fq("aks-team"), role: "primary", network: "network1" });
        input.stacks[0].config.peers.push({ ...input.stacks[0].config.peers[0] });
        expect(problemsOf(input)).toEqual([
            `Pulumi.eks-team.yaml: peers[1].name: "eks-west" is clusters[0] of this stack; a peer is a cluster another stack owns`,
            `Pulumi.eks-team.yaml: peers[2].name: "aks-east" is already peers[0]; list each peer once`,
        ]);
    });

    it("refuses a peer its stack does not own", () => {
        const input = meshInput(twoStacks);
        input.stacks[1].config.peers[0].name = "eks-east";
        input.stacks[1].config.clusters[0].primary = "eks-east";
        expect(problemsOf(input)).toContain(
            `Pulumi.aks-team.yaml: peers[0].name: "eks-east" is not a cluster of eks-team (Pulumi.eks-team.yaml clusters: eks-west)`,
        );
    });

    it("holds each peer to its owner's role, primary and network", () => {
        const input = meshInput(threeStacks);
        const gkePeers = input.stacks[1].config.peers;
        gkePeers[0].role = "remote"; // eks-west is a primary
        gkePeers[1].primary = "gke-central"; // aks-east is a remote of eks-west
        gkePeers[1].network = "network9"; // aks-east is on network2
        const eksPeers = input.stacks[0].config.peers;
        eksPeers[1].primary = undefined;
        eksPeers[0].primary = "eks-west"; // gke-central is a primary
        expect(problemsOf(input)).toEqual([
            `Pulumi.eks-team.yaml: peers[0].primary: "eks-west" is set, but Pulumi.gke-team.yaml clusters[0] has role primary; only a remote names a primary (remove primary)`,
            `Pulumi.eks-team.yaml: peers[1].primary: is missing; Pulumi.aks-team.yaml clusters[0] is a remote of "eks-west" (set primary: eks-west)`,
            `Pulumi.gke-team.yaml: peers[0].role: "remote", but Pulumi.eks-team.yaml clusters[0] has role primary (set role: primary)`,
            `Pulumi.gke-team.yaml: peers[1].primary: "gke-central", but Pulumi.aks-team.yaml clusters[0] is a remote of "eks-west" (set primary: eks-west)`,
            `Pulumi.gke-team.yaml: peers[1].network: "network9", but Pulumi.aks-team.yaml clusters[0] has network "network2" (set network: network2)`,
        ]);
    });

    it("wants a remote's primary in another stack listed among the peers, as a primary", () => {
        const input = meshInput(twoStacks);
        input.stacks[1].config.peers = [];
        expect(problemsOf(input)).toContain(
            `Pulumi.aks-team.yaml: clusters[0].primary: "eks-west" is neither a cluster of this stack nor among its peers (primaries: none); a remote's primary in another stack must be listed in peers`,
        );
        const wrongRole = meshInput(threeStacks);
        wrongRole.stacks[2].config.clusters[0].primary = "aks-west";
        wrongRole.stacks[2].config.peers.push({
            name: "aks-west",
            stack: fq("gke-team"),
            role: "remote",
            primary: "gke-central",
            network: "n",
        });
        expect(problemsOf(wrongRole)).toContain(
            `Pulumi.aks-team.yaml: clusters[0].primary: "aks-west" is peers[1], a remote; a remote's primary must have role primary`,
        );
    });

    it("wants the primary's stack to list the remote among its peers, or pass D would wait forever", () => {
        const input = meshInput(twoStacks);
        input.stacks[0].config.peers = [];
        expect(problemsOf(input)).toEqual([
            `Pulumi.eks-team.yaml: peers: has no "aks-east", a remote of its primary "eks-west" (Pulumi.aks-team.yaml clusters[0]); ` +
                `add { name: aks-east, stack: acme/istio-multicloud/aks-team, role: remote, primary: eks-west, network: network2 } so that eks-team attaches it`,
        ]);
    });

    it("wants the root owner to list every primary that takes its CA from it, or it issues no intermediate for it", () => {
        const input = meshInput(threeStacks);
        input.stacks[0].config.peers.splice(0, 1);
        expect(problemsOf(input)).toEqual([
            `Pulumi.eks-team.yaml: peers: has no "gke-central", a primary of gke-team (Pulumi.gke-team.yaml clusters[0]), which takes its root CA from eks-team (rootCaFrom); ` +
                `add { name: gke-central, stack: acme/istio-multicloud/gke-team, role: primary, network: network3 } so that eks-team issues its intermediate CA`,
        ]);
    });

    it("wants exactly one root owner among the stacks with primaries", () => {
        const none = meshInput(threeStacks);
        none.stacks[0].config.rootCaFrom = fq("gke-team");
        expect(problemsOf(none)).toContain(
            `rootCaFrom: no stack owns the mesh root: every stack with primaries sets rootCaFrom (Pulumi.eks-team.yaml: "acme/istio-multicloud/gke-team", ` +
                `Pulumi.gke-team.yaml: "acme/istio-multicloud/eks-team"); remove rootCaFrom from the one stack that should own it`,
        );
        const two = meshInput(threeStacks);
        two.stacks[1].config.rootCaFrom = undefined;
        expect(problemsOf(two)).toEqual([
            `rootCaFrom: Pulumi.eks-team.yaml, Pulumi.gke-team.yaml each own a mesh root (no rootCaFrom); exactly one stack with primaries owns it: ` +
                `set rootCaFrom: acme/istio-multicloud/eks-team in Pulumi.gke-team.yaml (or name another root owner)`,
        ]);
    });

    it("accepts primary stacks that all bring the same root (rootCa) instead of one owner", () => {
        const input = meshInput(threeStacks);
        for (const stack of input.stacks) {
            stack.config.rootCaFrom = undefined;
            stack.config.bringsRoot = true;
        }
        expect(() => planMesh(input, "up")).not.toThrow();
        input.stacks[1].config.bringsRoot = false;
        expect(problemsOf(input)).toEqual([
            `rootCa: Pulumi.eks-team.yaml brings the mesh root but Pulumi.gke-team.yaml would generate another: ` +
                `give every stack with primaries the same rootCa, or set rootCaFrom`,
        ]);
    });

    it("wants rootCaFrom to name the root owner itself", () => {
        const input = meshInput({ ...fiveStacks, "onprem-team": { ...fiveStacks["onprem-team"], rootCaFrom: "gke-team" } });
        const aksToRemoteStack = meshInput({
            ...twoStacks,
            "eks-team": { ...twoStacks["eks-team"] },
            "aks-team": { ...twoStacks["aks-team"], rootCaFrom: "eks-team" },
        });
        expect(() => planMesh(aksToRemoteStack, "up")).not.toThrow();
        expect(problemsOf(input)).toEqual([
            `Pulumi.onprem-team.yaml: rootCaFrom: "acme/istio-multicloud/gke-team" does not own the mesh root (it takes its own from rootCaFrom "acme/istio-multicloud/eks-team"); ` +
                `name the root owner: acme/istio-multicloud/eks-team`,
        ]);
        const toRemoteOnly = meshInput({ ...threeStacks, "gke-team": { ...threeStacks["gke-team"], rootCaFrom: "aks-team" } });
        expect(problemsOf(toRemoteOnly)).toContain(
            `Pulumi.gke-team.yaml: rootCaFrom: "acme/istio-multicloud/aks-team" does not own the mesh root (it has no primaries); name the root owner: acme/istio-multicloud/eks-team`,
        );
    });

    it("refuses stacks that control remotes in each other: they cannot be destroyed remotes first", () => {
        const mutual = meshInput({
            "eks-team": {
                clusters: [primary("eks-west", "network1"), remote("eks-edge", "gke-central", "network2")],
                peers: ["gke-central@gke-team", "gke-edge@gke-team"],
            },
            "gke-team": {
                clusters: [primary("gke-central", "network3"), remote("gke-edge", "eks-west", "network4")],
                peers: ["eks-west@eks-team", "eks-edge@eks-team"],
                rootCaFrom: "eks-team",
            },
        });
        expect(problemsOf(mutual)).toEqual([
            `the stacks depend on each other in a cycle, eks-team → gke-team → eks-team (Pulumi.eks-team.yaml: clusters[1].primary "gke-central" is in gke-team; ` +
                `Pulumi.gke-team.yaml: clusters[1].primary "eks-west" is in eks-team): a stack comes up after the stacks of its remotes' primaries and of its rootCaFrom, ` +
                `and is destroyed before them; break the cycle, e.g. by moving one of these remotes into its primary's stack`,
        ]);
    });

    it("refuses a root owner with a remote of a stack that takes its CA from it (a cycle through rootCaFrom)", () => {
        const input = meshInput({
            "eks-team": {
                clusters: [primary("eks-west", "network1"), remote("eks-edge", "gke-central", "network2")],
                peers: ["gke-central@gke-team"],
            },
            "gke-team": {
                clusters: [primary("gke-central", "network3")],
                peers: ["eks-west@eks-team", "eks-edge@eks-team"],
                rootCaFrom: "eks-team",
            },
        });
        expect(problemsOf(input)).toEqual([
            expect.stringContaining(
                `cycle, eks-team → gke-team → eks-team (Pulumi.eks-team.yaml: clusters[1].primary "gke-central" is in gke-team; Pulumi.gke-team.yaml rootCaFrom "acme/istio-multicloud/eks-team")`,
            ),
        ]);
    });

    it("wants one meshId and cluster names unique across the stacks", () => {
        const input = meshInput(twoStacks);
        input.stacks[1].config.meshId = "mesh2";
        input.stacks[1].config.clusters.push(primary("eks-west", "network1"));
        expect(problemsOf(input)).toEqual(
            expect.arrayContaining([
                `meshId: the stacks set different meshIds (Pulumi.eks-team.yaml: "mesh1", Pulumi.aks-team.yaml: "mesh2"); the clusters of one mesh share one meshId: set the same value in every stack file`,
                `Pulumi.aks-team.yaml: clusters[1].name: "eks-west" is also clusters[0] of Pulumi.eks-team.yaml; cluster names are Istio cluster IDs and must be unique across the mesh (a cluster another stack owns goes in peers)`,
            ]),
        );
    });

    it("wants every reference to a stack to name it the same way, --stacks included", () => {
        const input = meshInput(threeStacks);
        input.stacks[2].config.peers[0].stack = "other-org/istio-multicloud/eks-team";
        expect(problemsOf(input)).toEqual([
            `stack eks-team is named in different ways (Pulumi.gke-team.yaml: peers[0].stack "acme/istio-multicloud/eks-team", Pulumi.aks-team.yaml: peers[0].stack "other-org/istio-multicloud/eks-team", ` +
                `Pulumi.gke-team.yaml: rootCaFrom "acme/istio-multicloud/eks-team"); every reference must name the same stack, org included`,
        ]);
        const given = meshInput(twoStacks, ["eks-team", "aks-team"]);
        given.stacks[0].name = "other-org/istio-multicloud/eks-team";
        expect(problemsOf(given)[0]).toMatch(
            /^stack eks-team is named in different ways \(--stacks "other-org\/istio-multicloud\/eks-team", Pulumi.aks-team.yaml: peers\[0\].stack/,
        );
    });

    it("uses the qualified name --stacks gives when the peers agree", () => {
        const input = meshInput(twoStacks);
        input.stacks[0].name = fq("eks-team");
        expect(planMesh(input, "up").steps[0].pulumiStack).toBe(fq("eks-team"));
    });

    it("refuses --stacks that name a stack twice or a stack of another project", () => {
        const input = meshInput(twoStacks);
        input.stacks.push({ ...input.stacks[1], name: "aks-team" });
        input.stacks[0].name = "acme/other/eks-team";
        expect(problemsOf(input)).toEqual(
            expect.arrayContaining([
                `--stacks: "acme/other/eks-team" is a stack of project "other"; every stack of the mesh is a stack of istio-multicloud (acme/istio-multicloud/eks-team)`,
                `--stacks: "aks-team" is given twice (both read Pulumi.aks-team.yaml)`,
            ]),
        );
    });

    it("wants every stack to own at least one cluster", () => {
        const input = meshInput(twoStacks);
        input.stacks.push({ name: "empty", config: { file: "Pulumi.empty.yaml", meshId: "mesh1", clusters: [], peers: [] } });
        expect(problemsOf(input)).toEqual([
            `Pulumi.empty.yaml: clusters: needs at least one cluster (each stack of the mesh owns some of its clusters)`,
        ]);
    });

    it("reports every problem at once, for destroy as for up", () => {
        const input = meshInput(threeStacks);
        input.stacks[2].config.peers[0].network = "network9";
        input.stacks[1].config.rootCaFrom = undefined;
        const problems = problemsOf(input, "destroy");
        expect(problems).toHaveLength(2);
        expect(problems[0]).toMatch(/^Pulumi.aks-team.yaml: peers\[0\].network: "network9"/);
        expect(problems[1]).toMatch(/^rootCaFrom: .* each own a mesh root/);
        expect(() => planMesh(input, "up")).toThrow(
            /^The stacks of the mesh do not fit together \(2 problems\):\n {2}- Pulumi.aks-team.yaml/,
        );
    });
});
