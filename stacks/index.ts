import { platformProgram } from "./program";

const outputs = platformProgram();

export const namespace = outputs.namespace;
export const frontendEndpoint = outputs.frontendEndpoint;
export const frontendNodePort = outputs.frontendNodePort;
export const frontendLoadBalancerAddress = outputs.frontendLoadBalancerAddress;
export const images = outputs.images;
export const databaseHost = outputs.databaseHost;
export const activeColor = outputs.activeColor;
