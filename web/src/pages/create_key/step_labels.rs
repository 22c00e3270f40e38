//! Step 2, Add labels: the alias, the description and the tags.

use super::wizard::{edit, Wizard};
use crate::components::KvEditor;
use crate::util;
use yew::prelude::*;

/// Step 2; `alias_error` is why the alias is not accepted (its form, or taken), if it is not.
pub(super) fn step_labels(wiz: &UseStateHandle<Wizard>, alias_error: Option<String>) -> Html {
    let w = &**wiz;
    let show = w.attempted.contains(&2) || !w.alias.is_empty();
    let tag_errors = if w.attempted.contains(&2) {
        w.tag_errors()
    } else {
        vec![]
    };
    html! {
        <>
        <div class="panel">
            <div class="panel-header"><h2>{"Alias"}</h2></div>
            <div class="panel-body">
                <div class="field">
                    <label for="alias">{"Alias"}</label>
                    <div class="field-hint">{"You can change the alias at any time. The console adds the alias/ prefix for you."}</div>
                    <div class="input-prefix"><span>{"alias/"}</span>
                        <input id="alias" type="text" value={w.alias.clone()} placeholder="Enter alias"
                            aria-invalid={(show && alias_error.is_some()).to_string()}
                            oninput={edit(wiz, |w, e: InputEvent| w.alias = util::input_value(&e))} /></div>
                    if show { if let Some(e) = alias_error { <div class="field-error" role="alert">{ e }</div> } }
                    <div class="field-hint">{"Alias names can contain alphanumeric characters, forward slashes (/), underscores (_), and dashes (-). They cannot begin with aws/."}</div>
                </div>
                <div class="field">
                    <label for="description">{"Description - "}<em>{"optional"}</em></label>
                    <textarea id="description" rows="3" value={w.description.clone()} placeholder="Description of the key"
                        oninput={edit(wiz, |w, e: InputEvent| w.description = util::textarea_value(&e))} />
                </div>
            </div>
        </div>
        <div class="panel">
            <div class="panel-header"><h2>{"Tags - "}<em>{"optional"}</em></h2></div>
            <div class="panel-body">
                <p class="hint">{"Tags are key-value pairs that you can use to identify, organize and control access to the key."}</p>
                <KvEditor id="tag" rows={w.tags.clone()} key_label="Tag key" value_label="Tag value" add_label="Add tag"
                    errors={tag_errors} on_change={edit(wiz, |w, rows| w.tags = rows)} />
            </div>
        </div>
        </>
    }
}
