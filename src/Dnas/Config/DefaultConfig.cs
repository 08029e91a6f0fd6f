namespace Dnas.Config;

/// <summary>The commented configuration <c>dnas init</c> writes: every section and key, each with
/// what it is and what it accepts. The values are the paper's search space (resolutions 32-224,
/// gray and RGB) on a Nano 33 BLE with the built-in synthetic data, and otherwise the defaults
/// of the config records, so deleting a line changes nothing (a test holds both to that).
/// Optional keys without a default are present but commented out.</summary>
public static class DefaultConfig
{
    public const string Text = """
        # dnas.yaml: configuration of a DnasToolchain run (written by `dnas init`).
        # Relative paths are relative to this file. Every key is optional unless marked
        # "required"; a missing key takes the value shown here. Errors are reported as
        # dnas.yaml(LINE,COL): error DNASnnn: text.

        # Where the images come from and how they are split.
        data:
          source: synthetic          # required: synthetic | imagefolder | wake-vision | mlperf-tiny | idx
          images: 4000               # synthetic: number of generated person / no-person scenes (>= 1)
          # path: images             # imagefolder: one sub-folder per class; wake-vision (csv): image root;
          #                          # mlperf-tiny: folder of *.bin; idx: folder of IDX files
          # csv: train.csv           # wake-vision: CSV with filename, person (optional split) columns
          # tfrecord: shards/        # wake-vision: a TFRecord shard or a folder of shards (instead of csv)
          # labels: y_labels.csv     # mlperf-tiny: labels CSV (default: path/y_labels.csv)
          # raw_size: 96             # mlperf-tiny: side of the raw square images
          # classes: [no_person, person]  # class names in label order (default: the source's own)
          split: { train: 0.8, val: 0.1, test: 0.1 }  # fractions in [0, 1] summing to 1, train > 0
          seed: 1                    # seed of the train/val/test assignment (integer >= 0)
          max_bad_fraction: 0.05     # stop when more than this fraction of images is unreadable (0..1)
          # resolution: 224          # side of the stored images (>= the largest search resolution;
          #                          # default: the largest search resolution)

        # What the search may choose: the data configuration and the network.
        search_space:
          resolutions: [32, 64, 96, 128, 160, 192, 224]  # input sides in pixels (8..4096), no repeats
          colors: [gray, rgb]        # colour modes: gray and/or rgb
          widths: [0.35, 0.5, 0.75, 1.0]  # MobileNetV2 width multipliers, each in (0, 4]
          depths: [1, [1, 2], [2, 3], [2, 4], [2, 3], [2, 3], 1]  # blocks per stage, 7 stages: a count
          #                          # or [min, max] in 1..12; the first stage is always 1
          expansions: [3, 4, 6]      # inverted-residual expansion ratios (1..16)
          kernels: [3, 5, 7]         # depthwise kernel sizes: any of 3, 5, 7

        # Training the weight-sharing supernet once for the whole search space.
        supernet:
          epochs: 3                  # passes over the training split (> 0); ignored when steps is given
          # steps: 2000              # training steps (>= 1); wins over epochs
          batch: 32                  # images per step (1..4096)
          optimizer: adam            # adam | sgd (momentum 0.9, weight decay 4e-5)
          # learning_rate: 0.002     # peak learning rate (> 0, <= 10); default 0.002 with adam, 0.02 with sgd
          sandwich: 4                # subnets per step (>= 2): largest, smallest, and the rest random
          distillation: true         # true | false: smaller subnets learn from the largest's outputs
          checkpoint_minutes: 2      # minutes between checkpoints (> 0)

        # The evolutionary search (NSGA-II) over accuracy and one hardware cost.
        search:
          mode: data-aware           # data-aware (resolution and colour are searched) | hardware-aware
          #                          # (they are fixed: the network alone is searched)
          population: 32             # candidates per generation (>= 2)
          generations: 10            # generations after the initial one (>= 0)
          # time_budget_minutes: 5   # stop the search after this many minutes (> 0); default: no limit
          seed: 1                    # seed of the run: supernet, search and fine-tuning (integer >= 0)
          objective: sram            # cost minimised alongside accuracy: sram | flash | latency
          calibration_images: 256    # training images to recalibrate batch norm per candidate (>= 1)
          validation_images: 500     # validation images scored per candidate (0 = the whole split)
          scratch_steps: 60          # only with --no-supernet: training steps per candidate from scratch (>= 1)
          # fixed_resolution: 224    # hardware-aware only: input side (<= the stored image side);
          #                          # default: the largest search resolution
          # fixed_color: rgb         # hardware-aware only: gray | rgb (default rgb)

        # The microcontroller: candidates over its SRAM, flash or latency limit are infeasible.
        target:
          board: nano33ble           # built-in board: nano33ble | stm32h743 | rp2040 | esp32s3
          # name: my-board           # a custom board instead of board (then flash_kb, sram_kb and
          #                          # clock_mhz are required)
          # like: nano33ble          # custom board: built-in board whose cycle costs to use
          # flash_kb: 1024           # flash in KB (overrides the board's)
          # sram_kb: 256             # SRAM in KB (overrides the board's)
          # clock_mhz: 64            # core clock in MHz (overrides the board's)
          # latency_ms: 200          # latency limit in ms (> 0); default: none
          # camera: { width: 160, height: 120, format: rgb565 }  # frame buffer counted in SRAM; format
          #                          # rgb565 | rgb888 | yuv422 | gray8 (default rgb565); default: a
          #                          # frame at the model's resolution (gray8 for gray, rgb565 for rgb)

        # Training the chosen subnet further from its inherited weights.
        finetune:
          epochs: 2                  # passes over the training split (>= 0; 0 = test as inherited)
          batch: 32                  # images per step (1..4096)
          optimizer: adam            # adam | sgd (momentum 0.9, weight decay 4e-5)
          # learning_rate: 0.001     # peak learning rate (> 0, <= 10); default 0.001 with adam, 0.01 with sgd

        # Post-training int8 quantization and .tflite export of the fine-tuned model.
        quantize:
          calibration_images: 256    # training images the activation ranges are measured on (>= 1)
          ranges: minmax             # minmax | percentile: how each activation's range is taken
          # percentile: 99.99        # ranges: percentile only: high percentile in (50, 100]

        # The run folder: prepared data, checkpoints, candidates.jsonl, report.md.
        output: runs/default

        """;
}
