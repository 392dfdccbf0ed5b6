"""Facts about the course itself: where it lives and which chapters it has.

The repository URL is defined here and nowhere else; badges and the Colab setup
cell are derived from it.
"""
REPO_OWNER = "cnn-course"
REPO_NAME = "cnn-inference-debugging"
REPO_URL = f"https://github.com/{REPO_OWNER}/{REPO_NAME}"
BRANCH = "main"

CHAPTERS = (
    "ch00_start_here",
    "ch16_train_vs_eval",
    "ch17_feature_maps",
    "ch18_receptive_fields",
    "ch19_pooling",
    "ch20_quantisation",
    "ch21_capstone",
)
GRADED_CHAPTERS = tuple(c for c in CHAPTERS if c != "ch00_start_here")


def colab_url(path: str) -> str:
    """The URL that opens `path` (relative to the repository root) in Colab."""
    return f"https://colab.research.google.com/github/{REPO_OWNER}/{REPO_NAME}/blob/{BRANCH}/{path}"


def colab_badge(path: str) -> str:
    """Markdown for the "Open in Colab" badge of the notebook at `path`."""
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab_url(path)})")
