from sglang.srt.utils import temp_set_env


def test_retract():
    with temp_set_env(SGLANG_TEST_RETRACT="true", CUDA_LAUNCH_BLOCKING="1"):
        pass
