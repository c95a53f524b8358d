"""Public response models: what clients see. Never a table class."""
