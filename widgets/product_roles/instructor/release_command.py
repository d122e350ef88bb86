"""placeholder"""
HELP = "release"

def add_arguments(parser):
    parser.add_argument("assignment")

def run(root, args):
    return 0
