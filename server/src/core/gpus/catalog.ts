/**
 * GPUs people fine-tune on, with their CUDA compute capability (NVIDIA's "CUDA GPUs" table,
 * developer.nvidia.com/cuda-gpus). bf16 needs compute capability 8.0 (Ampere) or newer.
 */
export interface GpuInfo {
  name: string;
  /** Lower-case words a user may write: "rtx 3060", "3060", "a100". */
  aliases: string[];
  computeCapability: number;
  memoryGiB: number;
}

export const GPUS: GpuInfo[] = [
  { name: 'Tesla P100 16GB', aliases: ['p100'], computeCapability: 6.0, memoryGiB: 16 },
  { name: 'Tesla V100 16GB', aliases: ['v100', 'v100 16gb'], computeCapability: 7.0, memoryGiB: 16 },
  { name: 'Tesla V100 32GB', aliases: ['v100 32gb'], computeCapability: 7.0, memoryGiB: 32 },
  { name: 'Tesla T4 16GB', aliases: ['t4'], computeCapability: 7.5, memoryGiB: 16 },
  { name: 'GeForce RTX 2080 Ti 11GB', aliases: ['rtx 2080 ti', '2080 ti', '2080ti'], computeCapability: 7.5, memoryGiB: 11 },
  { name: 'Quadro RTX 8000 48GB', aliases: ['rtx 8000', 'quadro rtx 8000'], computeCapability: 7.5, memoryGiB: 48 },
  { name: 'GeForce RTX 3060 12GB', aliases: ['rtx 3060', '3060'], computeCapability: 8.6, memoryGiB: 12 },
  { name: 'GeForce RTX 3090 24GB', aliases: ['rtx 3090', '3090'], computeCapability: 8.6, memoryGiB: 24 },
  { name: 'GeForce RTX 4090 24GB', aliases: ['rtx 4090', '4090'], computeCapability: 8.9, memoryGiB: 24 },
  { name: 'RTX A6000 48GB', aliases: ['a6000', 'rtx a6000'], computeCapability: 8.6, memoryGiB: 48 },
  { name: 'A10G 24GB', aliases: ['a10g'], computeCapability: 8.6, memoryGiB: 24 },
  { name: 'L4 24GB', aliases: ['l4'], computeCapability: 8.9, memoryGiB: 24 },
  { name: 'L40S 48GB', aliases: ['l40s'], computeCapability: 8.9, memoryGiB: 48 },
  { name: 'A100 40GB', aliases: ['a100', 'a100 40gb'], computeCapability: 8.0, memoryGiB: 40 },
  { name: 'A100 80GB', aliases: ['a100 80gb'], computeCapability: 8.0, memoryGiB: 80 },
  { name: 'H100 80GB', aliases: ['h100', 'h100 80gb'], computeCapability: 9.0, memoryGiB: 80 },
  { name: 'H200 141GB', aliases: ['h200'], computeCapability: 9.0, memoryGiB: 141 },
];

function normalise(s: string): string {
  return s
    .toLowerCase()
    .replace(/nvidia|geforce|tesla|pcie|sxm\d?/g, ' ')
    .replace(/[-_]/g, ' ')
    .replace(/\b(\d+)\s*g(?:i?b)?\b/g, ' $1gb')
    .replace(/(rtx|gtx)\s*(\d)/g, '$1 $2')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Finds a GPU by the names people use ("RTX 3060 12GB", "rtx3090", "A100-80GB", "a10g", "T4"). A memory size
 * picks the variant; without one, the first listed variant.
 */
export function findGpu(query: string): GpuInfo | undefined {
  const q = normalise(query);
  const memory = /(\d+)gb/.exec(q)?.[1];
  const words = q.replace(/\d+gb/, '').trim();
  const candidates = GPUS.filter((g) => g.aliases.some((a) => a === words || a.replace(/ \d+gb$/, '') === words));
  if (!candidates.length) return undefined;
  return (memory && candidates.find((g) => g.memoryGiB === Number(memory))) || candidates[0];
}
