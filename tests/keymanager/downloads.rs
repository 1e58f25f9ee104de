//! Downloadable releases and the download links.

use chrono::Duration;
use keydesk::domain::license::KeyState;
use keydesk::service::Actor;
use keydesk::service::keys::KeyTerms;
use keydesk::store::Downloadable;

use crate::world::{World, assert_code};

fn release(
    product: keydesk::domain::product::ProductId,
    numeric: u32,
    version: &str,
    path: &std::path::Path,
) -> Downloadable {
    Downloadable {
        id: 0,
        product,
        numeric_version: numeric,
        version: version.into(),
        update_summary: "Bugfixes".into(),
        changelog: format!("Changes in {version}"),
        published: true,
        release_date: chrono::Utc::now(),
        download_counter: 0,
        file_path: path.display().to_string(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn releases_are_listed_and_downloaded_through_their_links() {
    let w = World::start().await;
    let product = w.product("Downloadable");
    let files = tempfile::tempdir().expect("dir");
    let old = files.path().join("app-1.0.1.zip");
    let new = files.path().join("app-1.0.2.zip");
    std::fs::write(&old, b"old build").expect("write");
    std::fs::write(&new, b"new build").expect("write");
    w.service.add_downloadable(&Actor::Owner, &release(product, 101, "1.0.1", &old)).expect("release");
    w.service.add_downloadable(&Actor::Owner, &release(product, 102, "1.0.2", &new)).expect("release");
    w.keys(product, &["DL-1"], KeyState::Assigned, 1);
    let ask = [("license_key", "DL-1"), ("identifier", "domain.ltd")];
    assert_code(
        &w.post("access-downloadables", &ask).await,
        202,
        "No activation found for this license key/identifier combination",
    );
    w.post("activate", &ask).await;
    let listed = w.post("access-downloadables", &ask).await;
    assert_code(&listed, 600, "Downloads");
    let list = listed.response["downloadables"].as_array().expect("list").clone();
    assert_eq!(list.iter().map(|d| d["version"].as_str().unwrap_or_default()).collect::<Vec<_>>(), ["1.0.2", "1.0.1"]);
    let url = list[0]["url"].as_str().expect("url").to_owned();
    assert!(url.ends_with("/DL-1/ZG9tYWluLmx0ZA%3D%3D/102"), "{url}");

    let http = reqwest::Client::new();
    let file = http.get(&url).send().await.expect("download");
    assert_eq!(file.status().as_u16(), 200);
    assert_eq!(file.bytes().await.expect("bytes").as_ref(), b"new build");
    let again = w.post("access-downloadables", &ask).await;
    assert_eq!(again.response["downloadables"][0]["download_counter"], 1);

    // A key confined to another product cannot fetch this product's release with the same link.
    let other = w.product("Elsewhere");
    let (record, confined) = w
        .service
        .create_api_key(&Actor::Owner, "other app", keydesk::domain::endpoint::Capabilities::All, &[])
        .expect("key");
    w.service.set_api_key_products(&Actor::Owner, record.id, &[other]).expect("scope");
    let ours = url.split("/download/").nth(1).and_then(|rest| rest.split('/').next()).expect("the link's key");
    let body = http.get(url.replace(ours, &confined)).send().await.expect("send").text().await.expect("text");
    assert!(body.contains(r#""code":210"#), "{body}");

    // Not active on that installation: 701. No such release, or its file gone: 700.
    let elsewhere = url.replace("ZG9tYWluLmx0ZA%3D%3D", "b3RoZXIuaG9zdA%3D%3D");
    let body = http.get(&elsewhere).send().await.expect("send").text().await.expect("text");
    assert!(body.contains(r#""code":701"#) && body.contains("You don't have permission to access it"), "{body}");
    let body = http.get(url.replace("/102", "/999")).send().await.expect("send").text().await.expect("text");
    assert!(body.contains(r#""code":700"#) && body.contains("The request file doesn't exist"), "{body}");
    std::fs::remove_file(&new).expect("rm");
    let body = http.get(&url).send().await.expect("send").text().await.expect("text");
    assert!(body.contains(r#""code":700"#), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_key_keeps_downloads_unless_the_product_requires_a_current_one() {
    let w = World::start().await;
    let product = w.product("Lapsed");
    let terms = KeyTerms {
        product,
        owner_name: "A".into(),
        owner_email: "a@example.com".into(),
        activation_limit: 1,
        validity_days: 10,
        state: KeyState::Assigned,
        assigned_at: None,
    };
    w.service.create_keys(&Actor::Owner, &["LAPSED-1".to_owned()], &terms).expect("key");
    let ask = [("license_key", "LAPSED-1"), ("identifier", "pc")];
    w.post("activate", &ask).await;
    w.clock.advance(Duration::days(11));
    assert_code(&w.post("access-downloadables", &ask).await, 600, "Downloads");
    let current = keydesk::store::ProductFields {
        name: "Lapsed".into(),
        description: "needs a current key".into(),
        source: keydesk::domain::product::ProductSource::Internal,
        external_reference: String::new(),
        active: true,
        require_non_expired: true,
        post_url: String::new(),
        distributor: None,
    };
    w.service.update_product(&Actor::Owner, product, &current).expect("update");
    assert_code(&w.post("access-downloadables", &ask).await, 205, "License key expired");
}
