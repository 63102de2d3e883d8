import pytest

from pipeline.options import UsageError, beam_options, config_overrides, local_workers, parse, runner_description


def test_local_default_runner_never_downloads():
    desc = runner_description(beam_options([]))
    assert desc == {"runner": "FnApiRunner", "direct_running_mode": "in_memory", "direct_num_workers": 1}


def test_workers_switch_to_multi_processing():
    assert runner_description(beam_options(["--direct_num_workers=2"]))["direct_running_mode"] == "multi_processing"
    # all cores
    assert runner_description(beam_options(["--direct_num_workers=0"]))["direct_running_mode"] == "multi_processing"
    # an explicit in_memory choice is kept
    desc = runner_description(beam_options(["--direct_num_workers=2", "--direct_running_mode=in_memory"]))
    assert desc["direct_running_mode"] == "in_memory"


def test_local_workers_go_to_the_process_pool():
    assert local_workers(["--direct_num_workers=2", "--shards_x"]) == (["--shards_x"], 2)
    assert local_workers(["--direct_num_workers", "3"]) == ([], 3)
    assert local_workers(["--runner=FnApiRunner", "--direct_num_workers=0"])[1] >= 1  # all cores
    # left to Beam: one worker, an explicit running mode, another runner, a value beam_options refuses
    for args in (["--direct_num_workers=1"], [], ["--direct_num_workers=2", "--direct_running_mode=multi_processing"],
                 ["--runner=DaskRunner", "--direct_num_workers=2"], ["--direct_num_workers=-1"]):
        assert local_workers(args) == (args, None), args
    rest, n = local_workers(["--direct_num_workers=2"])
    assert runner_description(beam_options(rest)) == {"runner": "FnApiRunner", "direct_running_mode": "in_memory",
                                                      "direct_num_workers": 1}


def test_multi_threading_is_refused_with_reason():
    with pytest.raises(UsageError, match="loses records"):
        beam_options(["--direct_running_mode=multi_threading"])


def test_unknown_option_refused_on_local_runner():
    with pytest.raises(UsageError, match="--shardz"):
        beam_options(["--shardz=3"])


def test_parse_splits_ours_from_beams():
    args, beam_args = parse(["run", "--input", "a", "--input", "b", "--output", "o", "--shards", "3",
                             "--compression", "gzip", "--drop-duplicates", "--direct_num_workers=2"])
    assert args.input == ["a", "b"] and args.output == "o"
    assert beam_args == ["--direct_num_workers=2"]
    assert config_overrides(args) == {"output": {"shards": 3, "compression": "gzip", "drop_duplicates": True}}


@pytest.mark.parametrize("argv", [
    ["run", "--output", "o"],                       # no input
    ["run", "--input", "a"],                        # no output
    ["run", "--input", "a", "--output", "o", "--shards", "x"],
    ["run", "--input", "a", "--output", "o", "--compression", "bz2"],
    ["run", "--input", "a", "--output", "o", "-x"],
])
def test_bad_usage(argv):
    with pytest.raises(UsageError):
        parse(argv)
