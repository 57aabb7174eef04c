fn main() {
    eprintln!("metareport: command line not yet built");
    std::process::exit(2);
}
