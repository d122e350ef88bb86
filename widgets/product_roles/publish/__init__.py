"""Publishing the course in other forms: slides cut from the notebooks."""
