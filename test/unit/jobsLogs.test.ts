import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogReader, ownFrame, pointsFromTrainerState, type LogEvent } from '../../server/src/jobs/logs';

function read(text: string): LogEvent[] {
  const r = new LogReader();
  return text.split('\n').flatMap((l) => r.line(l));
}
const metrics = (events: LogEvent[]) => events.filter((e) => e.kind === 'metric').map((e) => e.point);

// Excerpts written in the shape of real runs (HF Trainer under Axolotl/TRL, Lightning's progress bar, PyTorch errors).
const HF_RUN = `[2026-11-28 10:00:01,234] [INFO] [axolotl.train:129] Starting trainer...
  0%|          | 0/100 [00:00<?, ?it/s]
{'loss': 2.3456, 'grad_norm': 1.234, 'learning_rate': 2e-05, 'epoch': 0.01}
  1%|          | 1/100 [00:02<03:40,  2.22s/it]\r  2%|▏         | 2/100 [00:04<03:31,  2.16s/it]{'loss': 2.1, 'grad_norm': 0.9, 'learning_rate': 4e-05, 'epoch': 0.02}
{'eval_loss': 2.05, 'eval_runtime': 3.2, 'eval_samples_per_second': 31.2, 'epoch': 0.02}
{'loss': 1.9, 'grad_norm': np.float32(0.8), 'learning_rate': 6e-05, 'epoch': 0.03}
{'train_runtime': 220.1, 'train_samples_per_second': 3.6, 'train_loss': 2.05, 'epoch': 0.03}`;

describe('jobs: metrics from the output', () => {
  it('Hugging Face Trainer dicts: loss, eval loss, learning rate, epoch; progress-bar redraws and numpy floats', () => {
    assert.deepEqual(metrics(read(HF_RUN)), [
      { step: 1, epoch: 0.01, loss: 2.3456, learningRate: 2e-5 },
      { step: 2, epoch: 0.02, loss: 2.1, learningRate: 4e-5 },
      { step: 2, epoch: 0.02, evalLoss: 2.05 },
      { step: 3, epoch: 0.03, loss: 1.9, learningRate: 6e-5 },
    ]);
  });
  it('transformers 5 prints each value as a formatted string', () => {
    const text =
      " 17%|█▋        | 1/6 [00:00<00:00,  9.82it/s]    {'loss': '2.77', 'grad_norm': '0.2762', 'learning_rate': '5e-05', 'epoch': '0.25'}\n{'eval_loss': '0.6914', 'eval_accuracy': '0.5625', 'epoch': '0.25'}";
    assert.deepEqual(metrics(read(text)), [
      { step: 1, epoch: 0.25, loss: 2.77, learningRate: 5e-5 },
      { step: 1, epoch: 0.25, evalLoss: 0.6914 },
    ]);
  });
  it("Lightning's progress bar: step = epoch × batches + batch, train_loss and val_loss", () => {
    const text =
      'Epoch 0:  50%|█████     | 50/100 [00:05<00:05,  9.80it/s, v_num=0, train_loss=0.693]\rEpoch 0: 100%|██████████| 100/100 [00:10<00:00,  9.80it/s, v_num=0, train_loss=0.512, val_loss=0.640]\nEpoch 1:  50%|█████     | 50/100 [00:05<00:05,  9.80it/s, v_num=0, train_loss=0.401, val_loss=0.640]';
    assert.deepEqual(metrics(read(text)), [
      { step: 50, epoch: 0, loss: 0.693 },
      { step: 100, epoch: 0, loss: 0.512, evalLoss: 0.64 },
      { step: 150, epoch: 1, loss: 0.401, evalLoss: 0.64 },
    ]);
  });
  it('ANSI colours do not hide a metric', () => {
    assert.equal(metrics(read("\x1b[32m{'loss': 1.5, 'learning_rate': 1e-05, 'epoch': 1.0}\x1b[0m")).length, 1);
  });
  it("trainer_state.json's log_history, with steps", () => {
    const state = JSON.stringify({
      log_history: [{ loss: 2.0, learning_rate: 1e-5, epoch: 0.1, step: 10 }, { eval_loss: 1.9, epoch: 0.1, step: 10 }, { train_runtime: 5, step: 20 }, 'junk'],
    });
    assert.deepEqual(pointsFromTrainerState(state), [
      { step: 10, epoch: 0.1, loss: 2.0, learningRate: 1e-5 },
      { step: 10, epoch: 0.1, evalLoss: 1.9 },
    ]);
    assert.deepEqual(pointsFromTrainerState('{not json'), []);
    assert.deepEqual(pointsFromTrainerState('{"log_history": 3}'), []);
  });
});

describe('jobs: CUDA out of memory and tracebacks', () => {
  it('the OOM line of PyTorch 2.x (total capacity) and 1.x (RuntimeError), with sizes', () => {
    const two = read(
      'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 11.76 GiB of which 1.02 GiB is free.',
    );
    assert.deepEqual(
      two.filter((e) => e.kind === 'oom'),
      [
        {
          kind: 'oom',
          message: 'CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 11.76 GiB of which 1.02 GiB is free.',
          triedGiB: 2,
          totalGiB: 11.76,
        },
      ],
    );
    const one = read('RuntimeError: CUDA out of memory. Tried to allocate 512.00 MiB (GPU 0; 15.78 GiB total capacity; 14.2 GiB already allocated)');
    assert.deepEqual(
      one.map((e) => e.kind === 'oom' && [e.triedGiB, e.totalGiB]),
      [[0.5, 15.78]],
    );
  });
  it("a traceback's frames and error; the user's own frame is the last outside libraries", () => {
    const tb = [
      'Traceback (most recent call last):',
      '  File "/work/proj/train.py", line 42, in <module>',
      '    main()',
      '  File "/work/proj/train.py", line 30, in main',
      '    trainer.train()',
      '  File "/venv/lib/python3.11/site-packages/transformers/trainer.py", line 1938, in train',
      '    return inner_training_loop(',
      'ValueError: You are attempting to pad without a pad token.',
    ].join('\n');
    const events = read(tb).filter((e) => e.kind === 'traceback');
    assert.equal(events.length, 1);
    const e = events[0];
    assert.equal(e.error, 'ValueError: You are attempting to pad without a pad token.');
    assert.equal(e.frames.length, 3);
    assert.deepEqual(ownFrame(e.frames, ['/work/proj']), { file: '/work/proj/train.py', line: 30, function: 'main' });
  });
  it('chained exceptions report the last one; torchrun rank prefixes are read through', () => {
    const tb = [
      '[rank0]: Traceback (most recent call last):',
      '[rank0]:   File "/p/a.py", line 1, in <module>',
      "[rank0]: KeyError: 'x'",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
    ].join('\n');
    const events = read(tb).filter((e) => e.kind === 'traceback');
    assert.deepEqual(
      events.map((e) => [e.error, e.frames[0]?.line]),
      [["KeyError: 'x'", 1]],
    );
  });
  it('ordinary output is not mistaken for anything', () => {
    assert.deepEqual(read('loading weights 100%\nsaving checkpoint to ./out\n{"loss": "not a python dict"}\nEpoch 3 done'), []);
  });
});
