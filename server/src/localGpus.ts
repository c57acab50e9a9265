import { execFile } from 'node:child_process';
import { findGpu, type GpuInfo } from './core/gpus';
import type { GpuSetting } from './protocol';

/**
 * The GPUs to judge VRAM estimates against: the setting `finetune.gpus`, else the GPUs nvidia-smi reports on this
 * machine, else a representative set (then misfits are shown in the lens but not reported as problems).
 */
export const REPRESENTATIVE_GPUS = ['RTX 3060 12GB', 'RTX 3090 24GB', 'A100 80GB'];

/** A GPU from the setting: a name we know ("RTX 3090"), or one the user defines with its memory. */
export function gpuFromSetting(entry: GpuSetting): GpuInfo | undefined {
  if (typeof entry === 'string') return findGpu(entry);
  if (!entry || typeof entry !== 'object' || typeof entry.name !== 'string' || typeof entry.memoryMiB !== 'number' || !(entry.memoryMiB > 0)) return undefined;
  const known = findGpu(entry.name);
  return {
    name: entry.name,
    aliases: [],
    computeCapability: typeof entry.computeCapability === 'number' ? entry.computeCapability : (known?.computeCapability ?? 8.0),
    memoryGiB: Math.round(entry.memoryMiB / 1024),
    smiMiB: entry.memoryMiB,
  };
}

/**
 * `nvidia-smi --query-gpu=name,memory.total,compute_cap --format=csv,noheader,nounits` output, one line per GPU
 * ("NVIDIA GeForce RTX 3090, 24576, 8.6"). Identical GPUs are listed once.
 */
export function parseNvidiaSmi(text: string): GpuInfo[] {
  const out: GpuInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [name, memory, cc] = line.split(',').map((s) => s.trim());
    const mib = Number(memory);
    if (!name || !Number.isFinite(mib) || mib <= 0) continue;
    const shown = name.replace(/^NVIDIA\s+/, '');
    if (out.some((g) => g.name === shown && g.smiMiB === mib)) continue;
    const known = findGpu(`${name} ${Math.round(mib / 1024)}GB`) ?? findGpu(name);
    const capability = Number(cc);
    out.push({
      name: shown,
      aliases: [],
      computeCapability: Number.isFinite(capability) && capability > 0 ? capability : (known?.computeCapability ?? 8.0),
      memoryGiB: Math.round(mib / 1024),
      smiMiB: mib,
    });
  }
  return out;
}

/** Asks nvidia-smi (or $FTW_NVIDIA_SMI) once; no GPU, no driver or a slow driver all give []. */
export function queryLocalGpus(env: NodeJS.ProcessEnv = process.env): Promise<GpuInfo[]> {
  const bin = env['FTW_NVIDIA_SMI'] || 'nvidia-smi';
  return new Promise((resolve) => {
    try {
      execFile(bin, ['--query-gpu=name,memory.total,compute_cap', '--format=csv,noheader,nounits'], { timeout: 3000, windowsHide: true }, (error, stdout) => {
        resolve(error ? [] : parseNvidiaSmi(String(stdout)));
      });
    } catch {
      resolve([]);
    }
  });
}
