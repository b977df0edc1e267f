# kernel: placeholder until the kernel lands
