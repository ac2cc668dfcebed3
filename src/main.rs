//! Mounts the playground page.

fn main() {
    replication_playground::ui::crash::install();
    yew::Renderer::<replication_playground::ui::App>::new().render();
    replication_playground::ui::offline::keep_for_offline();
}
