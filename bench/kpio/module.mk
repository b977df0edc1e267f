# bench/kpio: KPIO's storage and network figures measured in QEMU.
BENCHES += kpio
BENCH_CMD_kpio := KPIO_BUILD=$(BUILD) python3 bench/kpio/bench_kpio.py
BENCH_DEPS += $(BUILD)/kpio.iso
