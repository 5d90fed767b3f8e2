/* National search's map and "use my location", both enhancements of pages that work without
   them. The map is built where a page's JSON block of points (script.map-data) stands, with its
   heading, from Leaflet served by us; the list beside it is the accessible equivalent. Without
   JavaScript, or without Leaflet, there is no map: only the list. */
(function () {
  "use strict";

  function escaped(text) {
    var holder = document.createElement("span");
    holder.textContent = text;
    return holder.innerHTML;
  }

  function locateButton(input) {
    if (!("geolocation" in navigator) || !input.form) { return; }
    var button = document.createElement("button");
    var status = null;
    button.type = "button";
    button.className = "secondary locate";
    button.textContent = input.dataset.locate;
    input.insertAdjacentElement("afterend", button);
    function say(text) {
      if (!status) {  // a live region only once there is something to say
        status = document.createElement("p");
        status.className = "hint";
        status.setAttribute("role", "status");
        button.insertAdjacentElement("afterend", status);
      }
      status.textContent = text;
    }
    button.addEventListener("click", function () {
      button.disabled = true;
      say(input.dataset.locating);
      navigator.geolocation.getCurrentPosition(function (position) {
        input.value = position.coords.latitude.toFixed(4) + "," +
          position.coords.longitude.toFixed(4);
        if (input.form.requestSubmit) { input.form.requestSubmit(); } else { input.form.submit(); }
      }, function () {
        button.disabled = false;
        say(input.dataset.locateFailed);
      }, { timeout: 15000, maximumAge: 300000 });
    });
  }

  function groups(points) {
    var byPoint = {};
    var order = [];
    points.forEach(function (point) {
      var key = point.lat.toFixed(6) + "," + point.lon.toFixed(6);
      if (!byPoint[key]) { byPoint[key] = []; order.push(key); }
      byPoint[key].push(point);
    });
    return order.map(function (key) { return byPoint[key]; });
  }

  function buildMap(block, number) {
    var points = JSON.parse(block.textContent);
    if (!points.length) { return; }
    var data = block.dataset;
    var area = document.createElement("div");
    var heading = document.createElement("h" + (data.level || "2"));
    var hint = document.createElement("p");
    var box = document.createElement("div");
    area.className = "map-area";
    heading.id = "map-heading-" + number;
    heading.textContent = data.heading;
    hint.className = "hint";
    hint.textContent = data.hint;
    box.className = "map";
    box.setAttribute("role", "region");
    box.setAttribute("aria-labelledby", heading.id);
    area.appendChild(heading);
    area.appendChild(hint);
    area.appendChild(box);
    block.parentNode.insertBefore(area, block);

    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var map = L.map(box, {
      zoomControl: false, keyboard: true, scrollWheelZoom: false,
      zoomAnimation: !still, fadeAnimation: !still, markerZoomAnimation: !still
    });
    L.control.zoom({ zoomInTitle: data.zoomIn, zoomOutTitle: data.zoomOut }).addTo(map);
    L.tileLayer(data.tiles, { attribution: escaped(data.attribution), maxZoom: 18 }).addTo(map);
    var bounds = [];
    groups(points).forEach(function (group) {
      // Offers at the same point share one marker (stacked markers would hide all but one),
      // named by all of them; its popup links each.
      var labels = group.map(function (point) {
        return point.place ? point.name + " – " + point.place : point.name;
      });
      var label = labels.join("; ");
      var first = group[0];
      var marker = L.marker([first.lat, first.lon], { title: label, alt: label, keyboard: true });
      var content = document.createElement("ul");
      content.className = "map-popup";
      var links = group.map(function (point) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = point.url;
        link.textContent = point.name;
        item.appendChild(link);
        if (point.place) {
          var place = document.createElement("p");
          place.textContent = point.place;
          item.appendChild(place);
        }
        content.appendChild(item);
        return link;
      });
      marker.bindPopup(content);
      // Opened from the keyboard (Enter on a marker) or by a click: the first link is next.
      marker.on("popupopen", function () { links[0].focus(); });
      marker.addTo(map);
      bounds.push([first.lat, first.lon]);
    });
    map.fitBounds(bounds, { padding: [32, 32], maxZoom: 14 });
  }

  document.querySelectorAll("input[data-locate]").forEach(locateButton);
  if (window.L) {
    document.querySelectorAll("script.map-data").forEach(buildMap);
  }
})();
