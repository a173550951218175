import type { ResourceOutputs } from "./index";

/** Outputs the Kubernetes provider computes, by resource type. */
export const kubernetesResources: Record<string, ResourceOutputs> = {};
