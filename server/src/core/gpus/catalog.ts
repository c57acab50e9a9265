/**
 * GPUs people fine-tune on: CUDA compute capability (NVIDIA's "CUDA GPUs" table, developer.nvidia.com/cuda-gpus;
 * bf16 needs 8.0, Ampere, or newer) and the memory nvidia-smi reports as total (not the marketing number: a
 * "24 GB" A10G shows 23,028 MiB with ECC on, a "16 GB" T4 15,360 MiB). Totals from ../shared/research/vram-model.md
 * §4.1, which checked them against published nvidia-smi dumps; the ones marked unverified there are noted here.
 */
export interface GpuInfo {
  name: string;
  /** Lower-case words a user may write: "rtx 3060", "3060", "a100". */
  aliases: string[];
  computeCapability: number;
  /** Marketed size in GB, the number in the name. */
  memoryGiB: number;
  /** Total memory as nvidia-smi reports it, MiB. */
  smiMiB: number;
}

export const GPUS: GpuInfo[] = [
  { name: 'Tesla P100 16GB', aliases: ['p100'], computeCapability: 6.0, memoryGiB: 16, smiMiB: 16280 }, // published nvidia-smi dumps (P100-PCIE/SXM2 16GB)
  { name: 'Tesla V100 16GB', aliases: ['v100', 'v100 16gb'], computeCapability: 7.0, memoryGiB: 16, smiMiB: 16160 },
  { name: 'Tesla V100 32GB', aliases: ['v100 32gb'], computeCapability: 7.0, memoryGiB: 32, smiMiB: 32510 }, // §4.1: ≈32,5xx (unverified)
  { name: 'Tesla T4 16GB', aliases: ['t4'], computeCapability: 7.5, memoryGiB: 16, smiMiB: 15360 },
  { name: 'GeForce RTX 2080 Ti 11GB', aliases: ['rtx 2080 ti', '2080 ti', '2080ti'], computeCapability: 7.5, memoryGiB: 11, smiMiB: 11019 }, // published nvidia-smi dumps
  { name: 'Quadro RTX 8000 48GB', aliases: ['rtx 8000', 'quadro rtx 8000'], computeCapability: 7.5, memoryGiB: 48, smiMiB: 49140 }, // published nvidia-smi dump (ECC off)
  { name: 'GeForce RTX 3060 12GB', aliases: ['rtx 3060', '3060'], computeCapability: 8.6, memoryGiB: 12, smiMiB: 12288 },
  { name: 'GeForce RTX 3080 10GB', aliases: ['rtx 3080', '3080'], computeCapability: 8.6, memoryGiB: 10, smiMiB: 10240 },
  { name: 'GeForce RTX 3080 12GB', aliases: ['rtx 3080', '3080'], computeCapability: 8.6, memoryGiB: 12, smiMiB: 12288 }, // unverified
  { name: 'GeForce RTX 3090 24GB', aliases: ['rtx 3090', '3090', 'rtx 3090 ti', '3090 ti'], computeCapability: 8.6, memoryGiB: 24, smiMiB: 24576 },
  { name: 'GeForce RTX 4060 Ti 16GB', aliases: ['rtx 4060 ti', '4060 ti', '4060ti'], computeCapability: 8.9, memoryGiB: 16, smiMiB: 16380 },
  { name: 'GeForce RTX 4070 12GB', aliases: ['rtx 4070', '4070', 'rtx 4070 ti', '4070 ti'], computeCapability: 8.9, memoryGiB: 12, smiMiB: 12282 },
  { name: 'GeForce RTX 4080 16GB', aliases: ['rtx 4080', '4080', 'rtx 4080 super', 'rtx 4070 ti super'], computeCapability: 8.9, memoryGiB: 16, smiMiB: 16376 },
  { name: 'GeForce RTX 4090 24GB', aliases: ['rtx 4090', '4090'], computeCapability: 8.9, memoryGiB: 24, smiMiB: 24564 },
  { name: 'GeForce RTX 5090 32GB', aliases: ['rtx 5090', '5090'], computeCapability: 12.0, memoryGiB: 32, smiMiB: 32607 },
  { name: 'RTX A6000 48GB', aliases: ['a6000', 'rtx a6000'], computeCapability: 8.6, memoryGiB: 48, smiMiB: 49140 }, // published nvidia-smi dumps
  { name: 'A10G 24GB', aliases: ['a10g', 'a10'], computeCapability: 8.6, memoryGiB: 24, smiMiB: 23028 },
  { name: 'L4 24GB', aliases: ['l4'], computeCapability: 8.9, memoryGiB: 24, smiMiB: 23034 },
  { name: 'A40 48GB', aliases: ['a40'], computeCapability: 8.6, memoryGiB: 48, smiMiB: 46068 },
  { name: 'L40S 48GB', aliases: ['l40s', 'l40'], computeCapability: 8.9, memoryGiB: 48, smiMiB: 46068 },
  { name: 'A100 40GB', aliases: ['a100', 'a100 40gb'], computeCapability: 8.0, memoryGiB: 40, smiMiB: 40536 }, // §4.1: the safe one of 40,960/40,536
  { name: 'A100 80GB', aliases: ['a100', 'a100 80gb'], computeCapability: 8.0, memoryGiB: 80, smiMiB: 81920 },
  { name: 'H100 80GB', aliases: ['h100', 'h100 80gb'], computeCapability: 9.0, memoryGiB: 80, smiMiB: 81559 },
  { name: 'H100 NVL 94GB', aliases: ['h100 nvl'], computeCapability: 9.0, memoryGiB: 94, smiMiB: 95830 },
  { name: 'H200 141GB', aliases: ['h200'], computeCapability: 9.0, memoryGiB: 141, smiMiB: 143771 },
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
