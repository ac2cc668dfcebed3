//! Mounts the playground page.

fn main() {
    yew::Renderer::<replication_playground::ui::App>::new().render();
}
