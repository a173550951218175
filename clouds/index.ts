/**
 * The registry of clouds: the one list the program, its rules and its tools iterate. Adding a
 * cloud is a module next to these (see clouds/cloud.ts) and one entry in each list below.
 */
import { z } from "zod";
import type { Cloud } from "../components/clusters/cluster";
import { awsCloud } from "./aws";
import type { CloudModule } from "./cloud";
import { azureCloud } from "./azure";
import { existingCloud } from "./existing";
import { gcpCloud } from "./gcp";
import { kindCloud } from "./kind";

/** Every cloud, in the order the reference and messages list them. */
export const cloudModules: { readonly [C in Cloud]: CloudModule } = {
    aws: awsCloud,
    azure: azureCloud,
    gcp: gcpCloud,
    existing: existingCloud,
    kind: kindCloud,
};

/** The config variant of each cloud, with its own type (the config model's types derive from them). */
export const clusterVariants = {
    aws: awsCloud.variant,
    azure: azureCloud.variant,
    gcp: gcpCloud.variant,
    existing: existingCloud.variant,
    kind: kindCloud.variant,
};

/** A cluster entry: told apart by `cloud`. */
export const clusterSchema = z.discriminatedUnion("cloud", [
    clusterVariants.aws,
    clusterVariants.azure,
    clusterVariants.gcp,
    clusterVariants.existing,
    clusterVariants.kind,
]);

/** The module of a cloud. */
export function cloudModule(cloud: Cloud): CloudModule {
    return cloudModules[cloud];
}

/** Every module, in registry order. */
export function allClouds(): CloudModule[] {
    return Object.values(cloudModules);
}
