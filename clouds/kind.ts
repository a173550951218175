/** kind: local clusters on this machine's Docker, with MetalLB for their load balancers. */
import { z } from "zod";
import { KindCluster } from "../components/clusters/kind";
import { commandResources } from "../tools/synthetic/outputs/command";
import { anyCloud, CloudModule, configuredAddressKeys } from "./cloud";

const variant = z.strictObject({
    ...anyCloud,
    cloud: z.literal("kind"),
    ...configuredAddressKeys,
    nodeImage: z
        .string()
        .regex(/^[a-z0-9][a-z0-9./_-]*:v\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?$/)
        .optional(),
});

export const kindCloud: CloudModule<typeof variant> = {
    name: "kind",
    title: "kind",
    variant,
    keyDocs: {
        nodeImage: {
            doc: "node image such as `kindest/node:v1.34.0`; its tag is the Kubernetes version (1.33+ on a remote)",
            defaultText: "kind's default",
        },
    },
    // A kind cluster's Kubernetes version is its node image's tag.
    resolve: (c) => ({ kubernetesVersion: (c.nodeImage && /:v(\d+\.\d+)\.\d+/.exec(c.nodeImage)?.[1]) || undefined }),
    // kind names the node container <name>-control-plane and refuses names it cannot use as a hostname.
    derivedNames: [{ what: "kind's node container (<name>-control-plane)", name: (n) => `${n}-control-plane`, max: 63 }],
    inCloud: false,
    clusterFactory: () => (c, common) =>
        new KindCluster(c.name, {
            role: common.role,
            network: common.network,
            nodeImage: c.nodeImage,
            loadBalancerAddresses: common.configuredAddresses,
        }),
    plan: { eastWestAddressKind: "MetalLB address set as eastWestAddress", allocatesAddresses: false },
    durations: [
        {
            what: "kind cluster (kind create cluster --wait)",
            matches: (r) => r.type === "command:local:Command" && /^kind create cluster/.test(String(r.inputs.create ?? "")),
            seconds: 90,
            range: "1-3 min",
            source: "estimate",
        },
    ],
    // What the kind CLI prints, as local commands.
    synthetic: { resources: commandResources },
};
