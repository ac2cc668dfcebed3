//! Mounts the playground page.

fn main() {
    replication_playground::ui::crash::install();
    match replication_playground::ui::browser::page_root() {
        Some(root) => yew::Renderer::<replication_playground::ui::App>::with_root(root).render(),
        None => yew::Renderer::<replication_playground::ui::App>::new().render(),
    };
    replication_playground::ui::offline::keep_for_offline();
}
