"""Output formats. Each module renders findings or a report; none computes anything new."""
