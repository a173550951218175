/** Existing clusters: ones you run, adopted into the mesh through a kubeconfig. */
import { z } from "zod";
import { ExistingCluster } from "../components/clusters/existing";
import { anyCloud, CloudModule, configuredAddressKeys } from "./cloud";

const variant = z.strictObject({
    ...anyCloud,
    cloud: z.literal("existing"),
    kubernetesVersion: z.string().optional(),
    ...configuredAddressKeys,
});

export const existingCloud: CloudModule<typeof variant> = {
    name: "existing",
    title: "existing cluster",
    variant,
    keyDocs: {},
    // The version of a cluster you run is yours to say; nothing to default.
    resolve: (c, input) => ({ kubernetesVersion: c.kubernetesVersion, kubeconfig: input.kubeconfigs?.[c.name] }),
    // The program names nothing in a cluster it does not create.
    derivedNames: [],
    inCloud: false,
    clusterFactory: () => (c, common) =>
        new ExistingCluster(c.name, {
            role: common.role,
            network: common.network,
            kubeconfig: c.kubeconfig!,
            loadBalancerAddresses: common.configuredAddresses,
        }),
    plan: { eastWestAddressKind: "configured eastWestAddress", allocatesAddresses: false },
    // Its LoadBalancer Services take the table's row for clusters you run.
    durations: [],
    synthetic: { resources: {} },
};
