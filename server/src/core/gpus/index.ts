/** The GPU catalog: names, memory and what each card supports. Pure data and lookups. */
export { findGpu, GPUS, type GpuInfo } from './catalog';
