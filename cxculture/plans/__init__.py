"""Focus plans: the dimensions a department works on after a wave, and their actions."""
