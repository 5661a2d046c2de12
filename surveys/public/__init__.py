"""The public side: what newcomers and integration workers see."""
