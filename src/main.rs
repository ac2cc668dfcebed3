//! Mounts the playground page.

fn main() {
    replication_playground::ui::crash::install();
    yew::Renderer::<replication_playground::ui::App>::new().render();
}
