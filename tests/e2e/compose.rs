//! docker/compose.yml and docker/Dockerfile, checked against the binary. Nothing here runs
//! Docker (no engine on these machines): the files are read, and what they would run is run
//! with `--help`, which clap accepts only for real subcommands and arguments.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use wellness_e2e::{binary, command};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn compose() -> Value {
    let text = read("docker/compose.yml");
    let yaml: serde_norway::Value = serde_norway::from_str(&text).expect("compose.yml is YAML");
    serde_json::to_value(yaml).expect("compose.yml as JSON")
}

/// The Dockerfile's instructions, continuation lines joined: (INSTRUCTION, arguments).
fn dockerfile() -> Vec<(String, String)> {
    let text = read("docker/Dockerfile");
    let mut joined = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || (line.is_empty() && current.is_empty()) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                joined.push(std::mem::take(&mut current));
            }
        }
    }
    joined
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (word, rest) = l.trim().split_once(' ').unwrap_or((l.trim(), ""));
            (word.to_ascii_uppercase(), rest.trim().to_owned())
        })
        .collect()
}

fn instruction<'a>(file: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    file.iter()
        .filter(|(word, _)| word == name)
        .map(|(_, rest)| rest.as_str())
        .collect()
}

/// An exec-form instruction (`["a", "b"]`) as its words.
fn exec_form(args: &str) -> Vec<String> {
    serde_json::from_str(args).unwrap_or_else(|_| panic!("not exec form: {args}"))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// `environment:` as a map, whichever of its two YAML forms is used.
fn environment(service: &Value) -> BTreeMap<String, String> {
    match &service["environment"] {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), v)
            })
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                let (k, v) = i.as_str().unwrap().split_once('=').unwrap();
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

#[test]
fn the_image_runs_the_binary_as_a_non_root_user_with_a_health_check() {
    let file = dockerfile();
    assert!(
        instruction(&file, "FROM").len() >= 2,
        "multi-stage: a build stage and a slim runtime"
    );
    assert!(
        instruction(&file, "FROM").last().unwrap().contains("-slim"),
        "{:?}",
        instruction(&file, "FROM")
    );
    let user = instruction(&file, "USER");
    assert!(
        user.last().is_some_and(|u| *u != "root" && *u != "0"),
        "{user:?}"
    );
    // The binary the build copies is the one the entrypoint names, and it is ours.
    let entrypoint = exec_form(instruction(&file, "ENTRYPOINT").last().unwrap());
    let bin_name = binary().file_name().unwrap().to_str().unwrap().to_owned();
    assert_eq!(entrypoint, vec![bin_name.clone()]);
    assert!(
        instruction(&file, "RUN")
            .iter()
            .any(|r| r.contains("cargo build --release -p wellness")
                && r.contains(&format!("target/release/{bin_name}"))),
        "the build stage builds and copies {bin_name}"
    );
    assert!(
        instruction(&file, "COPY")
            .iter()
            .any(|c| c.ends_with(&format!("/usr/local/bin/{bin_name}"))),
        "the runtime stage has {bin_name} on PATH"
    );
    // The default command exists.
    let cmd = exec_form(instruction(&file, "CMD").last().unwrap());
    let help = command(
        &[cmd.as_slice(), &["--help".to_owned()]]
            .concat()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &[],
    )
    .output()
    .unwrap();
    assert!(
        help.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&help.stderr)
    );
    // The health check asks /healthz on the port the image listens on.
    let env = instruction(&file, "ENV").join(" ");
    assert!(
        env.contains("PORT=8080") && env.contains("HOST=0.0.0.0"),
        "{env}"
    );
    assert_eq!(instruction(&file, "EXPOSE"), vec!["8080"]);
    let health = instruction(&file, "HEALTHCHECK").join(" ");
    assert!(health.contains("http://127.0.0.1:8080/healthz"), "{health}");
}

#[test]
fn compose_runs_the_binarys_own_commands_against_its_postgres() {
    let compose = compose();
    let services = compose["services"].as_object().expect("services");
    let file = dockerfile();
    let entrypoint = exec_form(instruction(&file, "ENTRYPOINT").last().unwrap());
    let default_cmd = exec_form(instruction(&file, "CMD").last().unwrap());

    // Every service built from docker/Dockerfile (directly or through its image name) runs a
    // command line the binary accepts.
    let built: Vec<&str> = services
        .values()
        .filter_map(|s| {
            let build = s.get("build")?;
            let context = repo()
                .join("docker")
                .join(build["context"].as_str().unwrap());
            let dockerfile = context.join(build["dockerfile"].as_str().unwrap());
            assert_eq!(
                dockerfile.canonicalize().unwrap(),
                repo().join("docker/Dockerfile").canonicalize().unwrap()
            );
            s["image"].as_str()
        })
        .collect();
    assert!(!built.is_empty(), "compose builds docker/Dockerfile");
    let mut commands = Vec::new();
    for (name, service) in services {
        let Some(image) = service["image"].as_str() else {
            continue;
        };
        if !built.contains(&image) {
            continue;
        }
        assert!(
            service.get("entrypoint").is_none(),
            "{name} keeps the image's entrypoint"
        );
        let cmd = match service.get("command") {
            Some(c) => strings(c),
            None => default_cmd.clone(),
        };
        assert_eq!(entrypoint, vec!["wellness".to_owned()]);
        let mut args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        args.push("--help");
        let out = command(&args, &[]).output().unwrap();
        assert!(
            out.status.success(),
            "{name}: `wellness {}` is not a command of the binary: {}",
            cmd.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        commands.push(cmd.join(" "));
    }
    assert!(commands.contains(&"serve".to_owned()), "{commands:?}");

    // The app reaches the db service's database, with the db's own user and name.
    let app = &services["app"];
    let env = environment(app);
    let db_env = environment(&services["db"]);
    let url = &env["DATABASE_URL"];
    let expected_prefix = format!("postgres://{}:", db_env["POSTGRES_USER"]);
    assert!(url.starts_with(&expected_prefix), "{url}");
    assert!(
        url.ends_with(&format!("@db:5432/{}", db_env["POSTGRES_DB"])),
        "{url}"
    );
    assert!(
        app["depends_on"]["db"]["condition"] == "service_healthy",
        "the app waits for PostgreSQL"
    );
    // It listens where the image's health check asks, on every interface of the container.
    assert_eq!(env["PORT"], "8080");
    assert_eq!(env["HOST"], "0.0.0.0");
    assert!(
        strings(&app["ports"]).iter().any(|p| p.ends_with(":8080")),
        "{}",
        app["ports"]
    );
    // Its environment holds only settings the binary knows (docs/configuration.md lists them).
    let documented = read("docs/configuration.md");
    for key in env.keys() {
        assert!(
            documented.contains(&format!("`{key}`")),
            "{key} is not a setting"
        );
    }
    // Secrets come from an env file that git ignores.
    let env_files: Vec<String> = app["env_file"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().or(f.as_str()).unwrap().to_owned())
        .collect();
    assert_eq!(env_files, vec!["../.env".to_owned()]);
    assert!(read(".gitignore").lines().any(|l| l.trim() == ".env"));
    assert!(read(".dockerignore").lines().any(|l| l.trim() == ".env"));

    // PostgreSQL keeps its data in a named volume.
    let volumes = strings(&services["db"]["volumes"]);
    let (volume, mount) = volumes[0].split_once(':').unwrap();
    assert_eq!(mount, "/var/lib/postgresql/data");
    assert!(
        compose["volumes"].get(volume).is_some(),
        "{volume} is declared"
    );
}
