import { readStackConfig } from "../../stacks/config/load";
import { PlatformOutputs, createPlatform } from "../../stacks/platform";
import { ResourceRecorder, installMocks, settle, valueOf } from "../../scripts/render/mockRuntime";
import { stackFileConfig } from "../../stacks/stackFiles";

export interface EvaluatedStack {
    recorder: ResourceRecorder;
    outputs: Record<string, unknown>;
}

/** Evaluates the real program for a stack under mocks, with the stack file's configuration (or `config`). */
export async function evaluateStack(stack: string, config: Record<string, unknown> = stackFileConfig(stack)): Promise<EvaluatedStack> {
    const { recorder, platform } = await evaluatePlatform(stack, config);
    return { recorder, outputs: await resolveOutputs(platform) };
}

/** The program under mocks with its outputs unresolved (for outputs only a cluster fills in). */
export async function evaluatePlatform(stack: string, config: Record<string, unknown>): Promise<{ recorder: ResourceRecorder; platform: PlatformOutputs }> {
    const recorder = await installMocks(stack, config);
    const platform = createPlatform(readStackConfig());
    await settle(recorder);
    return { recorder, platform };
}

async function resolveOutputs(platform: PlatformOutputs): Promise<Record<string, unknown>> {
    const images: Record<string, unknown> = {};
    for (const [service, ref] of Object.entries(platform.images)) {
        images[service] = await valueOf(ref);
    }
    return {
        namespace: await valueOf(platform.namespace),
        frontendEndpoint: await valueOf(platform.frontendEndpoint),
        frontendNodePort: platform.frontendNodePort,
        frontendLoadBalancerAddress: platform.frontendLoadBalancerAddress === null ? null : await valueOf(platform.frontendLoadBalancerAddress),
        images,
        databaseHost: await valueOf(platform.databaseHost),
        activeColor: platform.activeColor,
    };
}
