import { ResourceRecorder, installMocks, settle } from "../../scripts/render/mockRuntime";

/** Runs `build` under fresh mocks and returns every resource it registered. */
export async function renderUnderMocks(build: () => void, stack = "test"): Promise<ResourceRecorder> {
    const recorder = await installMocks(stack);
    build();
    await settle(recorder);
    return recorder;
}

export const T = {
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    service: "kubernetes:core/v1:Service",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    namespace: "kubernetes:core/v1:Namespace",
    quota: "kubernetes:core/v1:ResourceQuota",
    limitRange: "kubernetes:core/v1:LimitRange",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    password: "random:index/randomPassword:RandomPassword",
    image: "docker:index/image:Image",
} as const;
