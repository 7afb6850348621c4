"""A fixit 2 rule equivalent to envlint's ENV001 reads, for the benchmark only.

Written the way fixit rules are usually written: LibCST visitors with
QualifiedNameProvider for name resolution. It is a reference point for speed,
not a second implementation to maintain.
"""

import libcst as cst
from fixit import Invalid, LintRule, Valid
from libcst.metadata import QualifiedNameProvider

OWNED = ("SGLANG_", "SGL_", "MOONCAKE_", "ASCEND_", "DEEP_NORMAL_")
READERS = {"os.getenv", "os.environ.get", "os.environ.pop", "os.environ.setdefault"}
HELPERS = ("get_bool_env_var", "get_int_env_var")


def _owned_literal(node):
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return isinstance(value, str) and value.startswith(OWNED)
    return False


class RawOwnedEnvAccess(LintRule):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)
    VALID = [Valid('import os\nos.getenv("CUDA_HOME")\n')]
    INVALID = [Invalid('import os\nos.getenv("SGLANG_X")\n')]

    def _names(self, node):
        return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}

    def visit_Call(self, node: cst.Call) -> None:
        if not node.args or not _owned_literal(node.args[0].value):
            return
        names = self._names(node.func)
        if names & READERS or any(n.endswith(HELPERS) and n.startswith("sglang") for n in names):
            self.report(node, "raw access of an owned environment variable")

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if "os.environ" in self._names(node.value) and len(node.slice) == 1:
            element = node.slice[0].slice
            if isinstance(element, cst.Index) and _owned_literal(element.value):
                self.report(node, "raw access of an owned environment variable")

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if len(node.comparisons) == 1 and isinstance(node.comparisons[0].operator, (cst.In, cst.NotIn)):
            if _owned_literal(node.left) and "os.environ" in self._names(node.comparisons[0].comparator):
                self.report(node, "raw access of an owned environment variable")
