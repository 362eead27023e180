//! The start button, disabled with the reason beside it when the analysis cannot run (the offer
//! to switch an instance to LFU is `lfu_switch`).

use crate::api::ApiError;
use dcs_api::config::{is_lfu_policy, ListConfigurationsResponse, MAXMEMORY_POLICY};
use dcs_api::TaskKind;
use leptos::prelude::*;

/// Why an analysis cannot start, if it cannot: the instance's configuration could not be read,
/// or (hot keys) its `maxmemory-policy` is not an LFU one. When the endpoint does not offer the
/// configuration call, or the reader is signed out, nothing is guessed: the policy is unknown,
/// Start stays available and DCS itself refuses a wrong policy (DCS.4922).
pub fn blocked_reason(
    kind: TaskKind,
    configs: Option<Result<ListConfigurationsResponse, ApiError>>,
) -> Option<String> {
    match configs? {
        Err(e) if e.not_offered() || e.is_unauthorized() => None,
        Err(e) => Some(format!(
            "The instance cannot be analysed now: {}",
            e.message()
        )),
        Ok(c) if kind == TaskKind::Hotkey => {
            let policy = c.param(MAXMEMORY_POLICY).unwrap_or("unknown").to_string();
            (!is_lfu_policy(&policy)).then(|| {
                format!("Hot-key analysis needs maxmemory-policy allkeys-lfu or volatile-lfu; this instance uses {policy}.")
            })
        }
        Ok(_) => None,
    }
}

#[component]
pub fn StartBar(
    kind: TaskKind,
    blocked: Signal<Option<String>>,
    busy: Signal<bool>,
    on_start: Callback<()>,
    /// Beside the button: a choice of how the task runs, where there is one.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let hot = kind == TaskKind::Hotkey;
    let (testid, label) = if hot {
        ("start-hotkey-task", "Start hot-key analysis")
    } else {
        ("start-bigkey-task", "Start big-key analysis")
    };
    view! {
        <div class="actions">
            <button
                class="button primary"
                data-testid=testid
                disabled=move || blocked.get().is_some() || busy.get()
                on:click=move |_| on_start.run(())
            >
                {label}
            </button>
            {children.map(|c| c())}
            {move || {
                blocked
                    .get()
                    .map(|why| {
                        view! {
                            <span class="reason" role="note">
                                {why}
                            </span>
                        }
                    })
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcs_api::config::QueryRedisConfig;
    use dcs_api::ErrorBody;

    fn failed(status: u16) -> Option<Result<ListConfigurationsResponse, ApiError>> {
        Some(Err(ApiError::Dcs {
            status,
            body: ErrorBody {
                error_code: "DCS.4001".into(),
                error_msg: "The requested URL does not exist.".into(),
                error_ext_msg: None,
            },
        }))
    }

    fn policy(p: &str) -> Option<Result<ListConfigurationsResponse, ApiError>> {
        Some(Ok(ListConfigurationsResponse {
            config_time: None,
            instance_id: "i".into(),
            redis_config: vec![QueryRedisConfig {
                param_id: "1".into(),
                param_name: MAXMEMORY_POLICY.into(),
                param_value: p.into(),
                value_type: String::new(),
                value_range: String::new(),
                default_value: String::new(),
                description: String::new(),
            }],
            config_status: None,
            status: None,
        }))
    }

    #[test]
    fn an_endpoint_without_the_configs_call_does_not_block() {
        assert_eq!(blocked_reason(TaskKind::Hotkey, failed(404)), None);
        assert_eq!(blocked_reason(TaskKind::Hotkey, failed(401)), None);
        assert!(blocked_reason(TaskKind::Hotkey, failed(500)).is_some());
        assert!(blocked_reason(TaskKind::Hotkey, policy("allkeys-lru"))
            .is_some_and(|r| r.contains("allkeys-lru")));
        assert_eq!(
            blocked_reason(TaskKind::Hotkey, policy("allkeys-lfu")),
            None
        );
        assert_eq!(
            blocked_reason(TaskKind::Bigkey, policy("allkeys-lru")),
            None
        );
    }
}
