//! A short run of every fuzz loop on every test run, so the loops keep compiling and keep
//! reaching the code they aim at; the long runs are `scripts/fuzz.sh`, off CI.

#[test]
fn every_target_runs_a_few_hundred_inputs_without_a_panic() {
    for target in kms_fuzz::TARGETS {
        if let Err(find) = kms_fuzz::run(target, 300, 7) {
            panic!("{}: {}\ninput: {}", find.target, find.message, find.input);
        }
    }
}
